/**
 * The requests the page sent the hub and awaits replies to, by `ref`: each resolves with its
 * reply, or rejects with the hub's error, or with `disconnected` when the link goes first (keys
 * are then sent again). Kept apart from the socket (`connection.ts`) because the reply watch
 * (`link-liveness.ts`) asks it which request has waited longest.
 */
import type { ServerMessage } from "../../../src/protocol/client.js";

export class RequestError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RequestError";
  }
}

interface Pending {
  resolve(msg: ServerMessage): void;
  reject(err: Error): void;
  /** When a watched request was sent (ms since the epoch; see `LINK_SILENT_MS`). */
  watchedSince?: number;
}

export class PendingRequests {
  #nextRef = 1;
  readonly #pending = new Map<number, Pending>();

  /**
   * Gives a request its `ref` and awaits the reply to it; `send` sends it with that ref.
   * `watch`: its reply is expected at once (`oldestWatched`).
   */
  add(watch: boolean, send: (ref: number) => void): Promise<ServerMessage> {
    const ref = this.#nextRef++;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      if (watch) pending.watchedSince = Date.now();
      this.#pending.set(ref, pending);
      try {
        send(ref);
      } catch (err) {
        // Not sent (too large, `frame-limit.ts`): nothing awaits a reply to it.
        this.#pending.delete(ref);
        reject(err);
      }
    });
  }

  /** Settles the request `msg` answers, if it answers one (an `error` rejects it); says whether it did. */
  answer(msg: ServerMessage): boolean {
    const ref = "ref" in msg && typeof msg.ref === "number" ? msg.ref : undefined;
    const pending = ref === undefined ? undefined : this.#pending.get(ref);
    if (!pending || ref === undefined) return false;
    this.#pending.delete(ref);
    if (msg.type === "error") pending.reject(new RequestError(msg.code, msg.message));
    else pending.resolve(msg);
    return true;
  }

  /** When the longest-waiting watched request was sent (ms since the epoch), if any waits. */
  oldestWatched(): number | undefined {
    let oldest: number | undefined;
    for (const p of this.#pending.values())
      if (p.watchedSince !== undefined) oldest = Math.min(oldest ?? p.watchedSince, p.watchedSince);
    return oldest;
  }

  /** Rejects every request awaiting a reply as `disconnected`, saying `why`. */
  failAll(why = "The connection to the hub was lost."): void {
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    for (const p of pending) p.reject(new RequestError("disconnected", why));
  }
}
