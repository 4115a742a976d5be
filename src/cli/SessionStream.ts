/**
 * One session's event stream over a `ClientSocket`: attach after a seq, hand output bytes and
 * other events to the caller in order, and tell when the stream has ended (the session
 * exited and everything up to its last seq has arrived, or the connection dropped). Shared by
 * `dispatch attach` and `dispatch logs --follow`.
 *
 * The rule for every kind: the session's last state decides, not the first `exit` replayed. An
 * old `exit` followed by `revived` (the session was revived since) does not end the stream.
 */

import { isLiveStatus } from "../core/liveness.js";
import type { ServerMessage } from "../protocol/client.js";
import type { JsonEvent } from "../protocol/events.js";
import type { SessionInfo } from "../protocol/session.js";
import type { ClientSocket, CloseInfo } from "./ClientSocket.js";

export type StreamEnd =
  | { reason: "exited"; session: SessionInfo; code: number | null; signal: number | null }
  | { reason: "removed"; session: SessionInfo }
  | { reason: "closed"; close: CloseInfo };

type SnapshotMessage = Extract<ServerMessage, { type: "snapshot" }>;

export interface SessionStreamHandlers {
  /** Raw output bytes, in seq order. */
  output(data: Uint8Array, seq: number): void;
  /** Every other event of the session (resize, status, gap, exit...). */
  event?(event: JsonEvent): void;
  /** The screen at `seq`, sent instead of older history (attach with `snapshot: true`). */
  snapshot?(snapshot: SnapshotMessage): void;
}

export class SessionStream {
  /** Settles once, with why the stream ended. */
  readonly ended: Promise<StreamEnd>;
  private finish!: (end: StreamEnd) => void;
  private info: SessionInfo | undefined;
  private lastSeq = 0;
  /** The newest `exit` seen and not followed by `revived`: the end, once nothing newer says otherwise. */
  private exit: { seq: number; end: StreamEnd } | undefined;
  private done = false;
  private readonly unsubscribe: Array<() => void>;

  constructor(
    private readonly socket: ClientSocket,
    private readonly handlers: SessionStreamHandlers,
  ) {
    this.ended = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.unsubscribe = [
      socket.onOutput((frame) => {
        if (!this.info || frame.session !== this.info.id || frame.seq <= this.lastSeq) return;
        this.lastSeq = frame.seq;
        handlers.output(frame.data, frame.seq);
        this.checkEnd();
      }),
      socket.onMessage((message) => this.message(message)),
      socket.onClose((close) => this.end({ reason: "closed", close })),
    ];
  }

  /** The session as last reported (name, status, exit code). */
  get session(): SessionInfo | undefined {
    return this.info;
  }

  /** Seq of the newest event delivered so far. */
  get seq(): number {
    return this.lastSeq;
  }

  /**
   * Attaches to `name` (a name or id); events with seq > `afterSeq` follow. Pass a size only
   * when this client should set the session's size (an interactive terminal). Replayed output
   * comes joined (`coalesce`): this stream hands on bytes and the last seq, not event bounds.
   */
  async attach(
    name: string,
    options: { afterSeq?: number; snapshot?: boolean; cols?: number; rows?: number } = {},
  ): Promise<SessionInfo> {
    this.lastSeq = options.afterSeq ?? 0;
    const info = await this.socket.attach(name, { ...options, coalesce: true });
    this.info ??= info;
    this.checkEnd();
    return info;
  }

  dispose(): void {
    for (const unsubscribe of this.unsubscribe) unsubscribe();
  }

  private message(message: ServerMessage): void {
    switch (message.type) {
      case "attached":
        // Replayed events follow this message at once, before `attach()` resumes: learn the id now.
        if (!this.info) this.info = message.session;
        return;
      case "session":
        if (this.info && message.session.id === this.info.id) {
          this.info = message.session;
          this.checkEnd();
        }
        return;
      case "session-removed":
        if (this.info && message.id === this.info.id) this.end({ reason: "removed", session: this.info });
        return;
      case "snapshot":
        if (!this.info || message.session !== this.info.id) return;
        this.lastSeq = message.seq;
        this.handlers.snapshot?.(message);
        // A snapshot taken at the exit covers it: an ended session's stream is complete here.
        this.checkEnd();
        return;
      case "event": {
        const { event } = message;
        if (!this.info || event.session !== this.info.id || event.seq <= this.lastSeq) return;
        this.lastSeq = event.seq;
        this.handlers.event?.(event);
        if (event.type === "exit") {
          const code = typeof event.data.code === "number" ? event.data.code : null;
          const signal = typeof event.data.signal === "number" ? event.data.signal : null;
          const session: SessionInfo = { ...this.info, status: "exited", exitCode: code };
          this.exit = { seq: event.seq, end: { reason: "exited", session, code, signal } };
        } else if (event.type === "revived") {
          this.exit = undefined;
        }
        this.checkEnd();
        return;
      }
      default:
        return;
    }
  }

  /**
   * Ends the stream once caught up with the session's last seq: on its `exit` when that is the
   * newest event or the session is still ended (an `exit` replayed from before a revive is
   * neither), or when it has ended without one (host lost, failed).
   */
  private checkEnd(): void {
    const info = this.info;
    if (!info || this.lastSeq < info.lastSeq) return;
    const ended = !isLiveStatus(info.status);
    if (this.exit && (this.exit.seq >= info.lastSeq || ended)) this.end(this.exit.end);
    else if (ended) this.end({ reason: "exited", session: info, code: info.exitCode, signal: null });
  }

  private end(end: StreamEnd): void {
    if (this.done) return;
    this.done = true;
    this.finish(end);
  }
}
