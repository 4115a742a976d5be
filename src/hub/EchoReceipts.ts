/**
 * When a client hears that its input reached the session's host. It used to be answered at
 * once, a moment before the key's echo: two writes to the client per key, and the client woken
 * twice (an idle key through `dispatch attach`: 2.9 wakes of the client and 3 `writev` of the
 * hub per key). Held until the session's next stored batch is handed on, the receipt leaves in
 * the echo's write (the client's socket is corked for the turn, `corkForTurn`): one wake. A
 * session that prints nothing back (a paused program, a chat) gets it after `HOLD_MS`.
 * docs/BENCHMARKS.md, "The idle echo's syscalls".
 */

/**
 * Longest a receipt waits for the echo: far above an echo's few milliseconds, and far below the
 * client's `LINK_SILENT_MS` (`core/linkSilence.ts`: seconds without a word before it takes the link for dead). Not
 * shorter: Node keeps one libuv timer for all of its timers and does not move it when one is
 * cleared, so a cleared timer still wakes the event loop at its time. At 20 ms the hub woke once
 * more per key (3.3 wakes per key against 2.5); at 250 ms (as `HostAcks`' delay) a person typing
 * costs at most one such wake per 250 ms.
 */
const HOLD_MS = 250;

interface Waiting {
  session: string;
  at: number;
  release: () => void;
}

export class EchoReceipts {
  /** Oldest first (one `HOLD_MS` for all, so also the order they expire in). */
  private waiting: Waiting[] = [];
  private timer: NodeJS.Timeout | undefined;

  /** Resolves once `session`'s next batch is stored and handed on, or after `HOLD_MS`. */
  next(session: string): Promise<void> {
    return new Promise((release) => {
      this.waiting.push({ session, at: performance.now(), release });
      this.arm();
    });
  }

  /** A batch of `session` was handed on: its held receipts go now, in the same turn. */
  stored(session: string): void {
    if (this.waiting.length === 0) return;
    this.releaseWhere((entry) => entry.session === session);
  }

  /**
   * A commit of these sessions failed: their echo is shown only once the host's resend is
   * stored, seconds later while storage fails, so their receipts do not wait for it.
   */
  failed(sessions: readonly string[]): void {
    if (this.waiting.length === 0) return;
    const failed = new Set(sessions);
    this.releaseWhere((entry) => failed.has(entry.session));
  }

  /** Everything held goes now (shutdown). */
  releaseAll(): void {
    this.releaseWhere(() => true);
  }

  private releaseWhere(test: (entry: Waiting) => boolean): void {
    const kept: Waiting[] = [];
    const released: Waiting[] = [];
    for (const entry of this.waiting) (test(entry) ? released : kept).push(entry);
    if (released.length === 0) return;
    this.waiting = kept;
    for (const entry of released) entry.release();
    if (kept.length === 0 && this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
  }

  /** One timer, for the oldest receipt held. */
  private arm(): void {
    const oldest = this.waiting[0];
    if (this.timer || !oldest) return;
    const wait = Math.max(0, oldest.at + HOLD_MS - performance.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const due = performance.now() - HOLD_MS;
      this.releaseWhere((entry) => entry.at <= due);
      this.arm();
    }, wait);
    this.timer.unref();
  }
}
