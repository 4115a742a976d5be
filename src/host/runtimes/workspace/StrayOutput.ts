/**
 * Output outside a running evaluation (a background thread after its cell), bounded per
 * stretch: from one execute request of ours to the next. Once a stretch, after what was kept,
 * the transcript says the rest is dropped: a cell's cut is said at its end, but this has no end
 * to wait for, and a thread's lines stopped mid-line with nothing in the transcript, the web or
 * `dispatch logs` to say why.
 */
import type { EvalOutput } from "../../../protocol/workspace/events.js";
import { MAX_EVAL_OUTPUT_BYTES, OutputBudget } from "../jupyter/outputs.js";
import type { Transcript } from "./Transcript.js";

export class StrayOutput {
  private budget = new OutputBudget();
  /** Whether the transcript says the stretch's output is being dropped. */
  private cutSaid = false;

  constructor(private readonly transcript: Transcript) {}

  /** A new stretch: an execute request of ours was sent. */
  restart(): void {
    this.budget = new OutputBudget();
    this.cutSaid = false;
  }

  /** What of `output` fits the stretch's bound (nothing once it is spent). */
  take(output: EvalOutput): EvalOutput | undefined {
    return this.budget.take(output);
  }

  /** Says the cut once, after the output kept (`take` then the output written, then this). */
  sayCut(): void {
    if (this.budget.dropped === 0 || this.cutSaid) return;
    this.cutSaid = true;
    this.transcript.note(
      `output outside a running cell is over the ${MAX_EVAL_OUTPUT_BYTES} byte bound: the rest is dropped until the next cell runs; print less, or to a file`,
    );
  }
}
