/**
 * Input a CLI client must not lose to a hub that dies (SIGKILL, a restart) or a link that drops:
 * each one is numbered (`input.id`: this process's stream and a seq) and kept until the hub
 * acknowledges it. Whatever a connection took down with it unacknowledged is sent again, in
 * order and with the same ids, over the next one (`resend`); the hub and the session's host
 * apply an id once, so an input that did arrive (only its receipt was lost) is not applied
 * twice. It serves `dispatch chat` (its messages) and `dispatch attach` (its keys, through
 * `attached/Connection.ts`). docs/PROTOCOL.md, "Keys over a link that dies silently".
 *
 * A link can die without closing; an input sent into it then waits for ever. So the outbox
 * watches the connection its inputs went over: no receipt and no other word from the hub for
 * `LINK_SILENT_MS` after sending one, it closes that connection, and the client's reconnect
 * (which follows any close) brings the resend.
 */
import { randomBytes } from "node:crypto";
import type { ClientSocket } from "./ClientSocket.js";

/**
 * A receipt comes within milliseconds, and a busy hub still sends output or answers meanwhile:
 * nothing at all for this long after an input was sent means the link is dead. The web UI
 * waits as long.
 */
const LINK_SILENT_MS = 5_000;

interface Outgoing {
  session: string;
  data: string;
  seq: number;
  /** The connection it was last sent over, while its receipt is awaited there. */
  on: ClientSocket | undefined;
  /** When it was last sent (ms since the epoch). */
  sentAt: number;
}

/** The connection inputs were last sent over, and when the hub was last heard on it. */
interface Watch {
  socket: ClientSocket;
  heardAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  stop(): void;
}

export class InputOutbox {
  /** This client's name for its inputs, the same across its connections (8-64 characters). */
  private readonly stream = `cli-${randomBytes(12).toString("base64url")}`;
  private nextSeq = 1;
  /** Sent or waiting, not yet acknowledged; oldest first. */
  private readonly outgoing: Outgoing[] = [];
  private watch: Watch | undefined;

  /** `refused`: the hub answered an input with an error (the session ended, a role changed). */
  constructor(private readonly refused: (err: Error) => void) {}

  /**
   * Sends `data` to `session` over `socket`; when that connection is closed, or older inputs
   * still wait for a connection, it waits with them for `resend`.
   */
  send(socket: ClientSocket, session: string, data: string): void {
    const waiting = this.outgoing.some((entry) => entry.on !== socket);
    const entry: Outgoing = { session, data, seq: this.nextSeq++, on: undefined, sentAt: 0 };
    this.outgoing.push(entry);
    if (!waiting) this.transmit(socket, entry);
  }

  /** Connected again: sends, in order, every input no open connection carries. */
  resend(socket: ClientSocket): void {
    for (const entry of this.outgoing) if (!entry.on?.isOpen) this.transmit(socket, entry);
  }

  private transmit(socket: ClientSocket, entry: Outgoing): void {
    if (!socket.isOpen) return;
    entry.on = socket;
    entry.sentAt = Date.now();
    const watch = this.watching(socket);
    if (!watch.timer) this.checkLink(watch);
    const { session, data, seq } = entry;
    socket.request({ type: "input", session, data, id: { stream: this.stream, seq } }).then(
      () => this.remove(entry),
      (err: unknown) => {
        // Sent again over a newer connection meanwhile: that one's answer counts.
        if (entry.on !== socket) return;
        // The connection ended before the receipt: kept for the next one.
        if (!socket.isOpen) {
          entry.on = undefined;
          return;
        }
        this.remove(entry);
        this.refused(err instanceof Error ? err : new Error(String(err)));
      },
    );
  }

  /** Starts hearing the hub on `socket` (the connection inputs go over now). */
  private watching(socket: ClientSocket): Watch {
    if (this.watch?.socket === socket) return this.watch;
    this.watch?.stop();
    const heard = () => {
      watch.heardAt = Date.now();
    };
    const stops = [socket.onMessage(heard), socket.onOutput(heard)];
    const watch: Watch = {
      socket,
      heardAt: Date.now(),
      timer: undefined,
      stop: () => {
        for (const stop of stops) stop();
        clearTimeout(watch.timer);
      },
    };
    this.watch = watch;
    return watch;
  }

  /**
   * Closes the connection when the oldest input awaiting its receipt there was sent, and the
   * hub last heard, `LINK_SILENT_MS` ago; else looks again when that would be.
   */
  private checkLink(watch: Watch): void {
    watch.timer = undefined;
    const { socket } = watch;
    const oldest = this.outgoing.find((entry) => entry.on === socket);
    if (!oldest || !socket.isOpen || this.watch !== watch) return;
    const wait = Math.max(oldest.sentAt, watch.heardAt) + LINK_SILENT_MS - Date.now();
    if (wait > 0) {
      // Unref'd: a client leaving does not wait for it. Looked at after the I/O the event loop
      // has waiting (setImmediate runs after its poll): a client that was itself held (a loaded
      // machine, a laptop asleep) may have the hub's answer unread behind its timers.
      watch.timer = setTimeout(() => setImmediate(() => this.checkLink(watch)), wait);
      watch.timer.unref();
      return;
    }
    // The close ends the connection (within a second if the hub does not answer it), and the client
    // reconnects, as after any close; what was not acknowledged is resent then.
    void socket.close();
  }

  private remove(entry: Outgoing): void {
    const index = this.outgoing.indexOf(entry);
    if (index >= 0) this.outgoing.splice(index, 1);
  }
}
