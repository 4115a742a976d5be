/**
 * The host's bound on concurrent LLM API calls: slots are handed out in request order, and a
 * waiter whose reply is cancelled leaves the queue. One per host process, shared by its chats.
 */

/** Default concurrent API calls per host (the config's `chat.max_concurrent` overrides it). */
export const DEFAULT_MAX_CONCURRENT_CHATS = 5;

interface Waiter {
  grant: () => void;
}

export class ChatLimiter {
  private active = 0;
  private readonly queue: Waiter[] = [];

  constructor(private limit: number = DEFAULT_MAX_CONCURRENT_CHATS) {}

  get inFlight(): number {
    return this.active;
  }

  /** How many replies wait for a slot. */
  get waiting(): number {
    return this.queue.length;
  }

  /** Whether a new request would have to wait. */
  get isFull(): boolean {
    return this.queue.length > 0 || this.active >= this.limit;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.drain();
  }

  /** Resolves with a release function once a slot is free; rejects if `signal` aborts first. */
  acquire(signal: AbortSignal): Promise<() => void> {
    return new Promise((resolve, reject) => {
      if (signal.aborted) return reject(signal.reason);
      const waiter: Waiter = {
        grant: () => {
          signal.removeEventListener("abort", onAbort);
          this.active++;
          let released = false;
          resolve(() => {
            if (released) return;
            released = true;
            this.active--;
            this.drain();
          });
        },
      };
      const onAbort = () => {
        const index = this.queue.indexOf(waiter);
        if (index >= 0) this.queue.splice(index, 1);
        reject(signal.reason);
      };
      signal.addEventListener("abort", onAbort, { once: true });
      this.queue.push(waiter);
      this.drain();
    });
  }

  private drain(): void {
    while (this.active < this.limit && this.queue.length > 0) this.queue.shift()?.grant();
  }
}

/** The host process's limiter. */
export const chatLimiter = new ChatLimiter();
