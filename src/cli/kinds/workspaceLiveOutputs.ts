/**
 * What `dispatch eval` prints of its evaluation while it runs, for a person at a terminal
 * (`workspaceEval.ts`): the outputs as the kernel sends them, found by the evaluation's `ref`.
 */
import type { JsonEvent } from "../../protocol/events.js";
import type { EvalResult } from "../../protocol/workspace/commands.js";
import {
  EvalEndData,
  type EvalMode,
  type EvalOutput,
  EvalOutputData,
  EvalStartData,
} from "../../protocol/workspace/events.js";
import { printOutput, write } from "./workspaceOutput.js";

/**
 * An evaluation's outputs printed as the kernel sends them, for a person at a terminal. Its id
 * comes only with its answer, so its events are found by its `eval-start`, the first one after
 * the attach point that carries this evaluation's `ref`. A host from before `eval-start` had
 * refs writes none: then the first one sent through dispatch with the same code is taken, and
 * someone else sending the same code at the same moment could be taken for it; the answer
 * tells, and its own outputs then follow a note. A pipe gets no stream: exactly this
 * evaluation's outputs, from its answer.
 */
export class LiveOutputs {
  private id: string | undefined;
  private done = false;
  /** Outputs of this evaluation printed so far: the answer's first ones, in order. */
  private printed = 0;
  private printing = Promise.resolve();

  constructor(private readonly evaluation: { code: string; mode: EvalMode; ref: string }) {}

  event(event: JsonEvent): void {
    if (this.done) return;
    switch (event.type) {
      case "eval-start": {
        const start = EvalStartData.safeParse(event.data);
        if (this.id === undefined && start.success && this.isOurs(start.data)) this.id = start.data.id;
        return;
      }
      case "eval-output": {
        const output = EvalOutputData.safeParse(event.data);
        if (!output.success || this.id === undefined || output.data.id !== this.id) return;
        this.printed++;
        const { mode } = this.evaluation;
        this.printing = this.printing.then(() => printOutput(output.data.output, mode));
        return;
      }
      case "eval-end": {
        // Later output of its cell (a background thread) is not in the answer: not printed.
        const end = EvalEndData.safeParse(event.data);
        if (end.success && end.data.id === this.id) this.done = true;
        return;
      }
      default:
        return;
    }
  }

  private isOurs(start: EvalStartData): boolean {
    if (start.ref !== undefined) return start.ref === this.evaluation.ref;
    return start.origin === "client" && start.code === this.evaluation.code;
  }

  /** Stops printing; the answer's outputs that were not printed yet. */
  async rest(result: EvalResult): Promise<EvalOutput[]> {
    this.done = true;
    await this.printing;
    if (this.id === result.id) return result.outputs.slice(this.printed);
    if (this.printed > 0)
      await write(
        process.stderr,
        "[dispatch: the output above was another evaluation of the same code; this one's follows]\n",
      );
    return result.outputs;
  }
}
