/**
 * A workspace's evaluations and transcript as the page shows them, rebuilt from the session's
 * events: each evaluation with its outputs and status, a cell's pending `input()` prompt under
 * it, the evaluations still waiting their turn (`waiting-cells.svelte.ts`), and every
 * line the runtime printed (bounded: the hub's log keeps everything).
 */
import { isUpdate, updateDisplays } from "../../../../src/protocol/workspace/displays.js";
import { type Incomplete, incompleteText } from "../../../../src/protocol/workspace/incomplete.js";
import { stripAnsi } from "./ansi.js";
import type {
  Caller,
  EvalEndData,
  EvalMode,
  EvalOutput,
  EvalOutputData,
  EvalQueuedData,
  EvalStartData,
  EvalStatus,
  EvalWithdrawnData,
  InputEndData,
  InputRequestData,
  ReplayData,
  RunningCell,
} from "./model.js";
import { WaitingCells } from "./waiting-cells.svelte.js";

export interface Evaluation {
  /** Stable key for the list. */
  key: number;
  id: string;
  code: string;
  mode: EvalMode;
  origin: EvalStartData["origin"];
  count: number | null;
  /** null while it runs. */
  status: EvalStatus | null;
  outputs: EvalOutput[];
  truncatedBytes: number;
  /** Its outputs are not all it printed: lost on the way (`dropped`) or still coming at its end (`late`). */
  incomplete?: Incomplete;
  /** Its cell waits in `input()` for a line (answered with the `input` command). */
  prompt?: InputRequestData;
  /**
   * Not started yet (sent by this page or another client): it waits behind `ahead` cells (the
   * running one included), `running` the one the kernel runs (null between two); `by` who sent
   * it, when the host said.
   */
  waiting?: { ref: string; ahead: number; running: RunningCell | null; by?: Caller | undefined };
}

/** One thing the runtime printed, for the transcript pane. */
export interface TranscriptLine {
  key: number;
  ts: number;
  count: number | null;
  stream: "input" | "stdout" | "stderr" | "result" | "display" | "error" | "notice";
  text: string;
}

/** The transcript keeps this many lines in the page (the log keeps everything). */
const MAX_TRANSCRIPT_LINES = 5000;
/** Evaluations shown with their outputs; older ones leave the page (the log keeps them). */
const MAX_EVALUATIONS = 500;

/** What an output says in the transcript, as text. */
function transcriptText(output: EvalOutput): string {
  switch (output.type) {
    case "stream":
      return stripAnsi(output.text);
    case "error":
      return stripAnsi([`${output.ename}: ${output.evalue}`, ...output.traceback].join("\n"));
    default: {
      const plain = output.data["text/plain"];
      if (plain !== undefined) return stripAnsi(plain);
      const mime = Object.keys(output.data)[0];
      return mime ? `[${mime}]` : "";
    }
  }
}

export class EvaluationLog {
  evaluations = $state<Evaluation[]>([]);
  transcript = $state<TranscriptLine[]>([]);
  /** Evaluations that left the page (beyond `MAX_EVALUATIONS`). */
  hiddenEvaluations = $state(0);
  #nextKey = 1;
  /** Evaluations waiting behind others, shown after the ones that started. */
  readonly waiting = new WaitingCells(() => this.#nextKey++);

  get running(): boolean {
    return this.evaluations.some((e) => e.status === null);
  }

  /** Applies one of the events it shows; false for any other. */
  apply(event: { type: string; ts: number; data: Record<string, unknown> }): boolean {
    const { ts, data } = event;
    switch (event.type) {
      case "eval-queued":
        this.waiting.queued(data as unknown as EvalQueuedData);
        return true;
      case "eval-withdrawn": {
        const said = this.waiting.withdrawn(data as unknown as EvalWithdrawnData);
        if (said) this.note(ts, said);
        return true;
      }
      case "eval-start":
        this.#start(ts, data as unknown as EvalStartData);
        return true;
      case "eval-output":
        this.#output(ts, data as unknown as EvalOutputData);
        return true;
      case "eval-end":
        this.#end(ts, data as unknown as EvalEndData);
        return true;
      case "input-request":
        this.#prompt(ts, data as unknown as InputRequestData);
        return true;
      case "input-end":
        this.#promptEnded(ts, data as unknown as InputEndData);
        return true;
      case "replay":
        this.#replay(ts, data as unknown as ReplayData);
        return true;
      default:
        return false;
    }
  }

  /** The image ended: what ran is aborted, no prompt waits. */
  ended(ts: number): void {
    for (const e of this.evaluations) {
      if (e.status === null) e.status = "aborted";
      e.prompt = undefined;
    }
    this.waiting.clear();
    this.note(ts, "The image has ended.");
  }

  /** History the hub no longer stores: only what follows can be shown. */
  reset(ts: number): void {
    this.evaluations = [];
    this.hiddenEvaluations = 0;
    this.transcript = [];
    this.waiting.clear();
    this.note(ts, "Earlier evaluations are no longer stored.");
  }

  note(ts: number, text: string): void {
    this.#line({ ts, count: null, stream: "notice", text });
  }

  #start(ts: number, data: EvalStartData): void {
    this.waiting.started(ts, data);
    const who = data.origin === "client" ? "" : ` (${data.origin})`;
    this.#line({ ts, count: null, stream: "input", text: `In${who}: ${data.code}` });
    this.evaluations.push({
      key: this.#nextKey++,
      id: data.id,
      code: data.code,
      mode: data.mode,
      origin: data.origin,
      count: null,
      status: null,
      outputs: [],
      truncatedBytes: 0,
    });
    if (this.evaluations.length > MAX_EVALUATIONS) {
      const dropped = this.evaluations.length - MAX_EVALUATIONS;
      this.evaluations.splice(0, dropped);
      this.hiddenEvaluations += dropped;
    }
  }

  #find(id: string | null): Evaluation | undefined {
    if (id === null) return undefined;
    for (let i = this.evaluations.length - 1; i >= 0; i--) {
      const e = this.evaluations[i] as Evaluation;
      if (e.id === id) return e;
    }
    return undefined;
  }

  #output(ts: number, data: EvalOutputData): void {
    const { output } = data;
    const evaluation = this.#find(data.id);
    if (evaluation) {
      if (data.count !== null) evaluation.count = data.count;
      if (data.clear) evaluation.outputs.length = 0;
      const last = evaluation.outputs.at(-1);
      // Consecutive stream chunks of one stream read as one block.
      if (last?.type === "stream" && output.type === "stream" && last.name === output.name)
        last.text += output.text;
      else if (!isUpdate(output)) evaluation.outputs.push(output);
    }
    // A display's update shows where the display is, in whichever cell showed it.
    if (isUpdate(output)) for (const shown of this.evaluations) updateDisplays(shown.outputs, output);
    // An empty output only says a clear: nothing printed.
    if (output.type === "stream" && output.text === "") return;
    const stream = output.type === "stream" ? output.name : output.type;
    this.#line({ ts, count: data.count, stream, text: transcriptText(output) });
  }

  #end(ts: number, data: EvalEndData): void {
    // Said in the transcript too (as `dispatch transcript` does), where nothing else shows
    // that lines are missing.
    if (data.incomplete) this.note(ts, incompleteText(data.incomplete, `cell ${data.count ?? "?"}`));
    const evaluation = this.#find(data.id);
    this.waiting.ended(evaluation?.origin);
    if (!evaluation) return;
    evaluation.status = data.status;
    evaluation.prompt = undefined;
    if (data.count !== null) evaluation.count = data.count;
    evaluation.truncatedBytes = data.truncatedBytes;
    if (data.incomplete) evaluation.incomplete = data.incomplete;
  }

  #prompt(ts: number, data: InputRequestData): void {
    const evaluation = this.#find(data.eval);
    if (evaluation) evaluation.prompt = data;
    this.note(ts, `Waiting for input${data.prompt ? `: ${data.prompt}` : ""}`);
  }

  #promptEnded(ts: number, data: InputEndData): void {
    const evaluation = this.evaluations.find((e) => e.prompt?.id === data.id);
    if (evaluation) {
      // What was typed stays under the cell, as a terminal shows it (a password does not).
      const { prompt } = evaluation.prompt as InputRequestData;
      if (data.status === "answered" && data.value !== undefined)
        evaluation.outputs.push({ type: "stream", name: "stdout", text: `${prompt}${data.value}\n` });
      evaluation.prompt = undefined;
    }
    this.note(
      ts,
      data.status === "answered"
        ? "Input answered."
        : `Input cancelled${data.reason ? `: ${data.reason}` : ""}.`,
    );
  }

  #replay(ts: number, data: ReplayData): void {
    const failed = data.failed.map((f) => `\n  ${f.code.split("\n")[0]} → ${f.ename}: ${f.evalue}`).join("");
    this.note(ts, `Replayed ${data.ran} of ${data.total} evaluations.${failed ? ` Failed:${failed}` : ""}`);
  }

  #line(line: Omit<TranscriptLine, "key">): void {
    this.transcript.push({ ...line, key: this.#nextKey++ });
    if (this.transcript.length > MAX_TRANSCRIPT_LINES)
      this.transcript.splice(0, this.transcript.length - MAX_TRANSCRIPT_LINES);
  }
}
