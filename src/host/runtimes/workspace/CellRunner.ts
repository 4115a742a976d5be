/**
 * Runs the cells of clients and of a revive's replay when their turn comes (`CellQueue`), and
 * stops one client's cell without touching anyone else's. What each answers its `eval`: its
 * result once the kernel is idle again, or `aborted` with why when it never reached the kernel.
 */
import { randomUUID } from "node:crypto";
import { toDispatchError } from "../../../core/errors.js";
import type { Caller } from "../../../protocol/people.js";
import type { EvalResult, InterruptResult } from "../../../protocol/workspace/commands.js";
import type { EvalFailure, EvalMode } from "../../../protocol/workspace/events.js";
import { type CellQueue, Withdrawn } from "../jupyter/CellQueue.js";
import type { RuntimeEvents } from "../runtime.js";
import { QUEUED_CODE_CHARS } from "./EvaluationEvents.js";
import type { Evaluations } from "./Evaluations.js";
import type { Introspection } from "./Introspection.js";
import type { LiveKernel } from "./LiveKernel.js";
import type { Transcript } from "./Transcript.js";

/** Why an evaluation withdrawn by its client's `interrupt {ref}` never ran. */
const CANCELLED: EvalFailure = {
  ename: "Cancelled",
  evalue: "withdrawn before it started (it was waiting behind another evaluation)",
};

export interface CellRunnerOptions {
  kernel: LiveKernel;
  cells: CellQueue;
  evaluations: Evaluations;
  introspection: Introspection;
  transcript: Transcript;
  events: RuntimeEvents;
}

export class CellRunner {
  constructor(private readonly options: CellRunnerOptions) {}

  /**
   * Runs code when its turn comes (after the evaluations sent before it); the answer once the
   * kernel is idle again. Withdrawn before its turn (its client's `interrupt {ref}`, the kernel
   * ended or restarted), it never reaches the kernel and answers `aborted` with why. `ref`: its
   * client's name for it; `by`: who sent it, said while it waits and as it starts.
   */
  async evaluate(
    code: string,
    mode: EvalMode,
    origin: "client" | "replay",
    { ref, by }: { ref?: string | undefined; by?: Caller | undefined } = {},
  ): Promise<EvalResult> {
    const { kernel, cells, evaluations, introspection, events } = this.options;
    await kernel.ready;
    // Named even when its client gave no name (a REST eval, a line typed into an attach), so
    // that every viewer can follow its wait to its `eval-start`, and take it out of the queue.
    const named = ref ?? randomUUID();
    const turn = cells.join(named);
    const queued = turn.cellsAhead > 0;
    // Every viewer hears at once that it waits, and behind what: otherwise nothing shows until
    // the cells before it are done, which may be minutes.
    if (queued)
      events.emit("eval-queued", {
        ref: named,
        ahead: turn.cellsAhead,
        running: evaluations.running(),
        code: code.slice(0, QUEUED_CODE_CHARS),
        ...(code.length > QUEUED_CODE_CHARS ? { codeCut: true } : {}),
        mode,
        origin,
        ...(by ? { by } : {}),
      });
    try {
      await turn.ready;
    } catch (err) {
      if (!(err instanceof Withdrawn)) throw err;
      // Its client hears it in the answer; every other viewer stops showing it waiting.
      if (queued) events.emit("eval-withdrawn", { ref: named, error: err.failure });
      return {
        id: randomUUID(),
        count: null,
        status: "aborted",
        outputs: [],
        error: err.failure,
        truncatedBytes: 0,
      };
    }
    let result: EvalResult;
    try {
      // The next request goes on this one's reply: the kernel's shell is free then.
      const startRef = queued ? named : ref;
      const cell = { code, mode, origin, ref: startRef, by };
      result = await evaluations.execute(kernel.require(), cell, () => turn.done());
    } finally {
      turn.done();
    }
    const { adapter } = introspection;
    if (mode === "inspect" && result.status === "ok" && adapter)
      result.inspected = await kernel.ready
        .then(() => introspection.inspect({ expr: adapter.lastResult, offset: 0, limit: 50 }))
        .catch(() => undefined);
    if (origin === "client" && result.status !== "aborted")
      void this.refreshVariables().catch(() => undefined);
    return result;
  }

  private async refreshVariables(): Promise<void> {
    const { kernel, introspection } = this.options;
    if (!introspection.adapter || !kernel.isRunning) return;
    await kernel.ready;
    await introspection.variables();
  }

  async interrupt(): Promise<InterruptResult> {
    await this.options.kernel.interrupt();
    return { ok: true, outcome: "interrupted" };
  }

  /**
   * Stops one client's evaluation and nobody else's: withdrawn while it waits its turn,
   * interrupted while it runs (once the kernel has started it: until then the kernel may still
   * be running another client's cell).
   */
  async interruptOne(ref: string): Promise<InterruptResult> {
    const where = this.options.cells.withdraw(ref, CANCELLED);
    if (where === "withdrawn") return { ok: true, outcome: "withdrawn" };
    if (where === "unknown") return { ok: true, outcome: "unknown" };
    const found = this.options.evaluations.interruptByRef(ref);
    if (found === "unknown") return { ok: true, outcome: "unknown" };
    if (found === "on-start") return { ok: true, outcome: "interrupted" };
    return this.interrupt();
  }

  /** A revived image re-runs its `options.replay` in order, then writes a `replay` event. */
  async replay(evaluations: { code: string; mode: EvalMode }[]): Promise<void> {
    const { kernel, transcript, events } = this.options;
    transcript.note(`replaying ${evaluations.length} evaluation(s)`);
    let ran = 0;
    const failed: { code: string; ename: string; evalue: string }[] = [];
    for (const { code, mode } of evaluations) {
      if (!kernel.isRunning) break;
      const result = await this.evaluate(code, mode, "replay").catch((err: unknown) => {
        const error = toDispatchError(err);
        return { status: "aborted" as const, error: { ename: error.code, evalue: error.message } };
      });
      ran++;
      if (result.status !== "ok")
        failed.push({ code, ename: result.error?.ename ?? "aborted", evalue: result.error?.evalue ?? "" });
    }
    events.emit("replay", { total: evaluations.length, ran, failed });
    transcript.note(`replay: ${ran} of ${evaluations.length} ran, ${failed.length} failed`);
  }
}
