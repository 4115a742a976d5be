/**
 * The session the attached client shows: its stream over the connection and its output on the
 * terminal, in the rows above the status bar (drawn by `SessionScreen`). Switching replaces it
 * with another session's screen only once that session's attach succeeded; where each was left
 * is marked seen.
 *
 * The shown session and its stream change together: a switch's stream is kept apart until its
 * attach succeeds, so a resume over a new connection (`reattach`) never takes one session's
 * seq for another.
 */
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import { SessionStream, type SessionStreamHandlers, type StreamEnd } from "../SessionStream.js";
import type { SeenState } from "../seenState.js";
import { SessionScreen, type SessionScreenOptions } from "./SessionScreen.js";

/** How a shown session ended: exited or removed (a dropped connection is no end of it). */
export type SessionEnd = Extract<StreamEnd, { reason: "exited" | "removed" }>;

export interface SessionViewEvents {
  /** The shown session ended. */
  ended(end: SessionEnd): void;
  /** The session being closed (`expectClose`) ended: another is to be shown. */
  closed(id: string): void;
}

export interface SessionViewOptions extends SessionScreenOptions {
  seen: SeenState;
  events: SessionViewEvents;
}

/** The shown session attached again over a new connection, not shown yet. */
export interface Reattached {
  /** Shows it in place of the stream over the old connection. */
  adopt(): void;
  dispose(): void;
}

export class SessionView {
  /** The stream of `info`, while it is shown; none while the picker is up or a switch runs. */
  private stream: SessionStream | undefined;
  private info: SessionInfo | undefined;
  /** The stream of the session being switched to, until its attach succeeds. */
  private switching: SessionStream | undefined;
  /** Where the screen was left when the switch under way began: what it still shows. */
  private switchingFrom: { id: string; seq: number } | undefined;
  /** Session being closed with `w`: its end switches to another session instead of leaving. */
  private closing: string | undefined;
  /**
   * Sessions whose switch was overtaken (by another switch, the picker) and answered all the
   * same: the hub attached this client to them, so it streams them here and counts this client's
   * size until told otherwise. Detached once no switch is under way (`detachOvertaken`).
   */
  private readonly overtaken: Array<{ socket: ClientSocket; id: string }> = [];
  /** What is drawn of the session shown. */
  private readonly screen: SessionScreen;

  constructor(private readonly options: SessionViewOptions) {
    this.screen = new SessionScreen(options);
  }

  /** The session shown, or last shown (kept while the picker is up). */
  get current(): SessionInfo | undefined {
    return this.info;
  }

  /** The last seq shown; undefined when no session is. */
  get seq(): number | undefined {
    return this.stream?.seq;
  }

  /**
   * A session was renamed: taken only if it is the one shown. The answer may come after a
   * switch to another session; taking it then would send keys to the renamed one.
   */
  renamed(info: SessionInfo): void {
    if (this.info?.id === info.id) this.info = info;
  }

  /** The session `id` is being closed: its end switches to another session instead of leaving. */
  expectClose(id: string): void {
    this.closing = id;
  }

  /** Shows `ref` (name or id) in place of the current session, from its current screen. */
  async switchTo(socket: ClientSocket, ref: string): Promise<void> {
    const { bar } = this.options;
    // What the screen shows until this switch draws: the session shown, or the one a switch
    // under way (overtaken by this one) left, as it has not drawn anything yet.
    const before =
      this.stream && this.info
        ? { id: this.info.id, seq: this.stream.seq }
        : this.switching && this.switchingFrom;
    this.leave(socket);
    // The screen is cleared when the new session's first bytes arrive (or its attach is
    // confirmed), never before: an attach that fails leaves the terminal untouched.
    let fresh = true;
    const clearOnce = () => {
      if (!fresh) return;
      fresh = false;
      this.screen.clear();
    };
    const stream = new SessionStream(
      socket,
      this.handlers(clearOnce, () => {
        fresh = false;
      }),
    );
    this.switching = stream;
    this.switchingFrom = before;
    let info: SessionInfo;
    try {
      info = await stream.attach(ref, { snapshot: true, ...bar.sessionSize() });
    } catch (err) {
      stream.dispose();
      if (this.switching === stream) {
        this.switching = undefined;
        this.switchingFrom = undefined;
        this.detachOvertaken();
        // The screen still shows the session left (and keys still go to it): it streams again.
        if (before) await this.resume(socket, before);
      } else this.detachOvertaken();
      throw err;
    }
    if (this.switching !== stream) {
      // Another switch, the picker or the client leaving came first (and disposed the stream),
      // but the hub has attached this client to the session.
      this.overtaken.push({ socket, id: info.id });
      this.detachOvertaken();
      return;
    }
    this.switching = undefined;
    this.switchingFrom = undefined;
    this.stream = stream;
    this.info = info;
    this.detachOvertaken();
    clearOnce();
    stream.ended.then((end) => this.streamEnded(stream, end));
    bar.draw();
  }

  /**
   * Stops showing the session (and a switch under way): where it was left is marked seen, and
   * the hub told of the detach.
   */
  leave(socket: ClientSocket | undefined): void {
    this.switching?.dispose();
    this.switching = undefined;
    this.switchingFrom = undefined;
    const previous = this.stream;
    const current = this.info;
    this.stream = undefined;
    if (!previous) return;
    previous.dispose();
    if (current) {
      this.options.seen.mark(current.id, previous.seq);
      socket?.detach(current.id).catch(() => undefined);
    }
  }

  /**
   * Carries on over a new connection with the session shown, from the last seq it showed:
   * nothing is lost or doubled. A switch under way is not resumed here: the old connection's
   * end fails it (`SessionSwitcher` carries it out again once the connection is back).
   */
  async reattach(socket: ClientSocket): Promise<Reattached> {
    const old = this.stream;
    const current = this.info;
    // No snapshot: the screen already shows everything up to `old.seq`.
    const stream = old && current ? await this.streamAfter(socket, current.id, old.seq) : undefined;
    return {
      adopt: () => {
        old?.dispose();
        if (!stream || !current) return;
        const resumed = stream;
        if (this.stream !== old) {
          // The view moved on meanwhile (a switch, the client leaving): not shown after all.
          resumed.dispose();
          socket.detach(current.id).catch(() => undefined);
          return;
        }
        this.stream = resumed;
        resumed.ended.then((end) => this.streamEnded(resumed, end));
      },
      dispose: () => stream?.dispose(),
    };
  }

  /**
   * Streams `left` again from where it was left, after a switch away from it failed (the other
   * session was removed, a viewer may not see it). Nothing to do if the view moved on meanwhile
   * or the connection is gone (the reconnect, or the switch put off, takes over).
   */
  private async resume(socket: ClientSocket, left: { id: string; seq: number }): Promise<void> {
    const stream = await this.streamAfter(socket, left.id, left.seq).catch(() => undefined);
    if (!stream) return;
    if (this.stream || this.switching || this.info?.id !== left.id) {
      stream.dispose();
      socket.detach(left.id).catch(() => undefined);
      return;
    }
    this.stream = stream;
    stream.ended.then((end) => this.streamEnded(stream, end));
  }

  /**
   * Tells the hub this client left the sessions whose switch was overtaken, once no switch is
   * under way: one still unanswered may be to the same session (a detach sent now would come
   * after its attach and undo it), so its answer decides. The session shown stays attached; a
   * connection that is gone needs no detach (the hub dropped its attachments with it).
   */
  private detachOvertaken(): void {
    if (this.switching) return;
    for (const { socket, id } of this.overtaken.splice(0)) {
      if (!socket.isOpen || (this.stream && this.info?.id === id)) continue;
      socket.detach(id).catch(() => undefined);
    }
  }

  /** A stream of session `id` from just after `seq`, with no snapshot (the screen shows up to it). */
  private async streamAfter(socket: ClientSocket, id: string, seq: number): Promise<SessionStream> {
    const stream = new SessionStream(
      socket,
      this.handlers(() => undefined),
    );
    try {
      await stream.attach(id, { afterSeq: seq, snapshot: false, ...this.options.bar.sessionSize() });
      return stream;
    } catch (err) {
      stream.dispose();
      throw err;
    }
  }

  /** The client is leaving: the stream is stopped, where it was left marked seen. */
  stop(): void {
    this.switching?.dispose();
    this.switching = undefined;
    this.switchingFrom = undefined;
    const stream = this.stream;
    this.stream = undefined;
    stream?.dispose();
    if (stream && this.info) this.options.seen.mark(this.info.id, stream.seq);
  }

  private handlers(beforeOutput: () => void, onSnapshot?: () => void): SessionStreamHandlers {
    return {
      output: (data) => {
        beforeOutput();
        this.screen.output(data);
      },
      snapshot: (snapshot) => {
        onSnapshot?.();
        this.screen.show(snapshot.data);
      },
    };
  }

  private streamEnded(stream: SessionStream, end: StreamEnd): void {
    // A dropped connection is the reconnect's business, not the session's end.
    if (stream !== this.stream || end.reason === "closed") return;
    if (this.closing && this.info && this.closing === this.info.id) {
      this.closing = undefined;
      this.options.seen.mark(end.session.id, stream.seq);
      this.stream = undefined;
      stream.dispose();
      this.info = undefined;
      this.options.events.closed(end.session.id);
      return;
    }
    this.options.events.ended(end);
  }
}
