/**
 * The evaluations that wait their turn behind cells sent before them, whoever sent them (the
 * host's `eval-queued`, which carries the cell's code): each shows as a card saying behind
 * which cell it waits and since when, until its `eval-start` comes and its own card (with its
 * outputs) takes the place, or it never runs (`eval-withdrawn`, or this page's `eval` answers
 * without it having run). Rebuilt from the log like the rest, so a second tab, another person
 * and a reloaded page see the same cards. Without this, a cell run while another person's long
 * one runs shows nothing at all until that one is done.
 *
 * An event from a host that did not write the code yet (an old log) shows only on the page that
 * sent the cell, which knows its code.
 */
import { firstCodeLine } from "../../../../src/protocol/workspace/waitingCell.js";
import type { Evaluation } from "./evaluation-log.svelte.js";
import type { EvalMode, EvalQueuedData, EvalStartData, EvalWithdrawnData, RunningCell } from "./model.js";

export class WaitingCells {
  /** Cards of the evaluations waiting now, in the order they joined the queue. */
  cards = $state<Evaluation[]>([]);
  /** What this page sent and has not seen start or answer yet, by ref. */
  readonly #sent = new Map<string, { code: string; mode: EvalMode }>();

  constructor(private readonly nextKey: () => number) {}

  /** The page sends an evaluation named `ref`. */
  sent(ref: string, code: string, mode: EvalMode): void {
    this.#sent.set(ref, { code, mode });
  }

  queued(data: EvalQueuedData): void {
    if (this.cards.some((card) => card.waiting?.ref === data.ref)) return;
    const sent = this.#sent.get(data.ref);
    const code =
      sent?.code ?? (data.code === undefined ? undefined : `${data.code}${data.codeCut ? "…" : ""}`);
    if (code === undefined) return;
    this.cards.push({
      key: this.nextKey(),
      id: "",
      code,
      mode: sent?.mode ?? data.mode ?? "do",
      origin: data.origin ?? "client",
      count: null,
      status: null,
      outputs: [],
      truncatedBytes: 0,
      waiting: { ref: data.ref, ahead: data.ahead, running: data.running, by: data.by },
    });
  }

  /**
   * An evaluation started: a waiting one leaves the queue (its own card follows); another one
   * that was queued (not a foreign Jupyter client's, which never was) is now the one the rest
   * wait behind. Its start time is the event's (the hub's clock), as close as the page can know.
   */
  started(ts: number, data: EvalStartData): void {
    if (data.ref !== undefined) {
      this.#sent.delete(data.ref);
      this.#remove(data.ref);
    }
    if (data.origin === "other") return;
    const { id, code, origin, by } = data;
    const running: RunningCell = { id, code, origin, startedAt: ts, ...(by ? { by } : {}) };
    for (const card of this.cards) if (card.waiting) card.waiting.running = running;
  }

  /** An evaluation ahead of the waiting ones ended: one fewer to wait for, and none runs until the next starts. */
  ended(origin: Evaluation["origin"] | undefined): void {
    if (origin === "other") return;
    for (const card of this.cards)
      if (card.waiting) {
        card.waiting.ahead = Math.max(1, card.waiting.ahead - 1);
        card.waiting.running = null;
      }
  }

  /**
   * A waiting evaluation never ran: its card goes, and those behind it wait for one fewer.
   * What the transcript says of it; undefined when it was not shown.
   */
  withdrawn(data: EvalWithdrawnData): string | undefined {
    const at = this.cards.findIndex((card) => card.waiting?.ref === data.ref);
    if (at < 0) return undefined;
    const [card] = this.cards.splice(at, 1) as [Evaluation];
    for (const behind of this.cards.slice(at))
      if (behind.waiting) behind.waiting.ahead = Math.max(1, behind.waiting.ahead - 1);
    return `Never ran: \`${firstCodeLine(card.code)}\` (${data.error.evalue}).`;
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
