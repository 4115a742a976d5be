/**
 * Backpressure on a client's requests. Every request is answered, and a client that sends them
 * faster than it reads the answers (or never reads at all) would otherwise make the hub queue
 * every answer in memory: one small `list` asks for every session's record, so a few kilobytes
 * of requests could pile up gigabytes of unread replies. While this client's socket holds more
 * than `HOLD_ABOVE_BYTES` unread, the hub stops reading from it and keeps the requests it had
 * already read; once the client has read its replies down to `RESUME_BELOW_BYTES`, those
 * requests are served in order and reading resumes. Nothing is dropped; a client that stops
 * reading simply stops being served (and the liveness ping lets it go).
 */
import type { WebSocket } from "ws";
import { whenDrained } from "./socketDrain.js";

/** Unread replies above this stop the hub reading this client's requests. */
export const HOLD_ABOVE_BYTES = 4 * 1024 * 1024;
/** Unread replies down to this let the held requests through. */
export const RESUME_BELOW_BYTES = 1024 * 1024;

type Frame = [raw: Buffer, isBinary: boolean];

export class RequestValve {
  /** Requests read before the hub stopped reading, in arrival order. */
  private readonly held: Frame[] = [];
  /** Cancels the wait for the client to read its replies, while requests are held. */
  private cancelWait: (() => void) | undefined;

  constructor(
    private readonly socket: WebSocket,
    /** Serves one request (synchronously starts it: its reply counts towards the backlog). */
    private readonly serve: (raw: Buffer, isBinary: boolean) => void,
  ) {}

  /** Whether requests are being held for a client that has not read its replies. */
  get holding(): boolean {
    return this.cancelWait !== undefined;
  }

  /** One request from the client: served now, or held until the client has caught up. */
  receive(raw: Buffer, isBinary: boolean): void {
    if (this.holding || this.socket.bufferedAmount > HOLD_ABOVE_BYTES) {
      this.held.push([raw, isBinary]);
      this.hold();
      return;
    }
    this.serve(raw, isBinary);
  }

  /** The connection is gone: nothing held is served. */
  dispose(): void {
    this.cancelWait?.();
    this.cancelWait = undefined;
    this.held.length = 0;
  }

  private hold(): void {
    if (this.cancelWait) return;
    // ws still emits what it had read before the pause: those land in `held` too.
    this.socket.pause();
    const check = () => {
      this.cancelWait = undefined;
      if (this.socket.readyState !== this.socket.OPEN) return this.dispose();
      // Served in order; a reply that fills the socket again holds the rest anew.
      while (this.held.length > 0) {
        if (this.socket.bufferedAmount > HOLD_ABOVE_BYTES) return this.wait(check);
        const [raw, isBinary] = this.held.shift() as Frame;
        this.serve(raw, isBinary);
      }
      this.socket.resume();
    };
    this.wait(check);
  }

  private wait(check: () => void): void {
    this.cancelWait = whenDrained(this.socket, RESUME_BELOW_BYTES, check);
  }
}
