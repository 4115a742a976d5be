/**
 * The evaluations a workspace knows of, by their execute request's msg_id, and how long an
 * ended one is kept: late output that names it (a background thread's, which ipykernel sends
 * under the last request) still goes to its cell however late, as Jupyter places it. So it is
 * kept, its outputs (its answer's) let go after a while, and only the last `KEPT_ENDED` are.
 */
import { type Evaluation, newEvaluation } from "./Evaluation.js";

/** Ended evaluations kept for output that still names them. */
export const KEPT_ENDED = 100;
/** How long an ended evaluation keeps its outputs (its answer's) for late output to join. */
const OUTPUTS_KEPT_MS = 60_000;

export class KnownEvaluations {
  private readonly byId = new Map<string, Evaluation>();

  /** A new evaluation of request `id`, nothing of it seen yet. */
  add(id: string, what: Parameters<typeof newEvaluation>[1]): Evaluation {
    const evaluation = newEvaluation(id, what);
    this.byId.set(id, evaluation);
    return evaluation;
  }

  get(id: string): Evaluation | undefined {
    return this.byId.get(id);
  }

  /** Every evaluation known, oldest first. */
  all(): IterableIterator<Evaluation> {
    return this.byId.values();
  }

  /** The open evaluation its client named `ref`, if any. */
  openByRef(ref: string): Evaluation | undefined {
    return [...this.byId.values()].find((e) => e.ref === ref && !e.ended);
  }

  /** `evaluation` has ended: its outputs go after a while, and the oldest ended beyond `KEPT_ENDED` now. */
  ended(evaluation: Evaluation): void {
    setTimeout(() => {
      evaluation.outputs = [];
    }, OUTPUTS_KEPT_MS).unref();
    let excess = [...this.byId.values()].filter((e) => e.ended).length - KEPT_ENDED;
    for (const [id, known] of this.byId) {
      if (excess <= 0) return;
      if (!known.ended) continue;
      this.byId.delete(id);
      excess--;
    }
  }
}
