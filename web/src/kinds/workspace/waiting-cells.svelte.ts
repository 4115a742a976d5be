/**
 * This page's evaluations that wait their turn behind cells sent before them (the host's
 * `eval-queued`, which names the `ref` the page gave): each shows as a card saying behind
 * which cell it waits and since when, until its `eval-start` comes and its own card (with its
 * outputs) takes the place, or its `eval` answers without it having run. Without this, a cell
 * run while another person's long one runs shows nothing at all until that one is done.
 *
 * Only the page that sent it knows its code, so only that page shows it; a reload forgets it
 * (the event names a ref, not the code).
 */
import type { Evaluation } from "./evaluation-log.svelte.js";
import type { EvalMode, EvalQueuedData, EvalStartData, RunningCell } from "./model.js";

export class WaitingCells {
  /** Cards of this page's evaluations waiting now, in the order they were sent. */
  cards = $state<Evaluation[]>([]);
  /** What this page sent and has not seen start or answer yet, by ref. */
  readonly #sent = new Map<string, { code: string; mode: EvalMode }>();

  constructor(private readonly nextKey: () => number) {}

  /** The page sends an evaluation named `ref`. */
  sent(ref: string, code: string, mode: EvalMode): void {
    this.#sent.set(ref, { code, mode });
  }

  queued(data: EvalQueuedData): void {
    const sent = this.#sent.get(data.ref);
    if (!sent || this.cards.some((card) => card.waiting?.ref === data.ref)) return;
    this.cards.push({
      key: this.nextKey(),
      id: "",
      ...sent,
      origin: "client",
      count: null,
      status: null,
      outputs: [],
      truncatedBytes: 0,
      waiting: { ref: data.ref, ahead: data.ahead, running: data.running },
    });
  }

  /**
   * An evaluation started: ours leaves the queue (its own card follows); another one that was
   * queued (not a foreign Jupyter client's, which never was) is now the one ours waits behind.
   * Its start time is the event's (the hub's clock), as close as the page can know.
   */
  started(ts: number, data: EvalStartData): void {
    if (data.ref !== undefined && this.#sent.delete(data.ref)) this.#remove(data.ref);
    if (data.origin === "other") return;
    const running: RunningCell = { id: data.id, code: data.code, origin: data.origin, startedAt: ts };
    for (const card of this.cards) if (card.waiting) card.waiting.running = running;
  }

  /** An evaluation ahead of ours ended: one fewer to wait for, and none runs until the next starts. */
  ended(origin: Evaluation["origin"] | undefined): void {
    if (origin === "other") return;
    for (const card of this.cards)
      if (card.waiting) {
        card.waiting.ahead = Math.max(1, card.waiting.ahead - 1);
        card.waiting.running = null;
      }
  }

  /** Its `eval` answered: true when it never started (withdrawn: restart, the image ended). */
  answered(ref: string): boolean {
    const neverStarted = this.#sent.delete(ref);
    this.#remove(ref);
    return neverStarted;
  }

  /** The image ended, or the history was reset: nothing waits any more. */
  clear(): void {
    this.cards = [];
  }

  #remove(ref: string): void {
    this.cards = this.cards.filter((card) => card.waiting?.ref !== ref);
  }
}
