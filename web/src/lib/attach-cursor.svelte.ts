/**
 * Where a page-side session model stands against its attach, shared by the models that apply
 * events themselves (chat, editor, workspace; terminals track parsing instead): the last seq
 * applied, the seq the attach replays up to, and who waits until that is applied.
 *
 * `attaching` makes the model not current until the attach's reply says up to where;
 * `attached(seq)` sets that seq; events then `advance` the cursor (each seq once, in order),
 * and `settle` wakes those waiting once the model has caught up. Nothing is applied here: the
 * model applies the event between `advance` and `settle`.
 */
export class AttachCursor {
  /** Seq of the last event applied (reactive: views show it). */
  lastSeq = $state(0);
  #targetSeq = 0;
  #waiters: (() => void)[] = [];
  #disposed = false;

  /** An attach is on its way: not current until its reply says up to where. */
  attaching(): void {
    this.#targetSeq = Number.POSITIVE_INFINITY;
  }

  /** The attach replays up to `seq`: current once that is applied. */
  attached(seq: number): void {
    this.#targetSeq = seq;
    this.settle();
  }

  /** Whether `seq` is live (past what the attach replayed), not history. */
  isLiveSeq(seq: number): boolean {
    return seq > this.#targetSeq;
  }

  /** Whether everything up to the attach's seq has been applied. */
  get current(): boolean {
    return this.lastSeq >= this.#targetSeq;
  }

  whenCurrent(): Promise<void> {
    if (this.current) return Promise.resolve();
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  /** Takes `seq` as applied: false for one already applied (replay overlap) or once disposed. */
  advance(seq: number): boolean {
    if (seq <= this.lastSeq || this.#disposed) return false;
    this.lastSeq = seq;
    return true;
  }

  /** Wakes those waiting for the model to be current, if it now is. */
  settle(): void {
    if (!this.current || this.#waiters.length === 0) return;
    this.#wake();
  }

  /** No more events; anyone still waiting is let go. */
  dispose(): void {
    this.#disposed = true;
    this.#wake();
  }

  get disposed(): boolean {
    return this.#disposed;
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const w of waiters) w();
  }
}
