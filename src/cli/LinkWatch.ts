/**
 * Watches the connection a CLI client's inputs went over (`InputOutbox.ts`): a link can die
 * without closing, and an input sent into it then waits for ever. No receipt and no other word
 * from the hub for `LINK_SILENT_MS` after sending one (`core/linkSilence.ts`, the web page's rule
 * too), it closes that connection, and the client's reconnect (which follows any close) brings
 * the resend. Kept apart from the outbox, which owns what is sent and when; this only decides
 * that a link is dead.
 */
import { silenceLeft } from "../core/linkSilence.js";
import type { ClientSocket } from "./ClientSocket.js";

/** The connection inputs were last sent over, and when the hub was last heard on it. */
interface Watch {
  socket: ClientSocket;
  heardAt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  stop(): void;
}

export class LinkWatch {
  private watch: Watch | undefined;

  /**
   * `oldestSent`: when the oldest input awaiting its receipt over `socket` was sent (ms since
   * the epoch), or undefined once none awaits one there.
   */
  constructor(private readonly oldestSent: (socket: ClientSocket) => number | undefined) {}

  /** An input was just sent over `socket`: the hub is listened for there from now on. */
  sent(socket: ClientSocket): void {
    const watch = this.watching(socket);
    if (!watch.timer) this.checkLink(watch);
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
    const sentAt = this.oldestSent(socket);
    if (sentAt === undefined || !socket.isOpen || this.watch !== watch) return;
    const wait = silenceLeft(sentAt, watch.heardAt, Date.now());
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
}
