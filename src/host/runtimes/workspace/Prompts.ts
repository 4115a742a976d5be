/**
 * A cell's `input()` prompts: the kernel's `input_request` becomes an `input-request` event, so
 * every client (one attaching later, after a hub restart) sees the prompt pending, and any
 * writer answers it (`input {id, value}`). The kernel waits in `input()` meanwhile; iopub goes
 * on, so everyone still sees output. A prompt ends with its `input-end`: answered, or cancelled
 * when its cell ends (an interrupt raises in `input()`), the kernel restarts or exits.
 */
import { DispatchError } from "../../../core/errors.js";
import type { InputEndData } from "../../../protocol/workspace/events.js";
import type { Kernel } from "../jupyter/Kernel.js";
import type { JupyterMessage } from "../jupyter/wire.js";
import type { RuntimeEvents } from "../runtime.js";
import type { Transcript } from "./Transcript.js";

interface Pending {
  request: JupyterMessage;
  /** The evaluation asking. */
  eval: string | null;
  password: boolean;
  kernel: Kernel;
}

export class Prompts {
  private readonly pending = new Map<string, Pending>();

  constructor(
    private readonly events: RuntimeEvents,
    private readonly transcript: Transcript,
    /** A prompt became pending or ended (the console at a terminal shows it). */
    private readonly changed: () => void,
  ) {}

  /** The kernel asks for a line for one of our execute requests. */
  requested(kernel: Kernel, request: JupyterMessage): void {
    const id = request.header.msg_id;
    const evalId = request.parent.msg_id ?? null;
    const prompt = String(request.content.prompt ?? "");
    const password = request.content.password === true;
    this.pending.set(id, { request, eval: evalId, password, kernel });
    this.events.emit("input-request", { id, eval: evalId, prompt, password });
    this.transcript.note(`waiting for input${prompt ? `: ${prompt}` : ""}`);
    this.changed();
  }

  /** Sends a writer's line to the kernel; `conflict` when the prompt is no longer pending. */
  async answer(id: string, value: string): Promise<{ ok: true }> {
    const pending = this.pending.get(id);
    if (!pending)
      throw new DispatchError(
        "conflict",
        "that input prompt is no longer pending (answered already, or its cell ended, was interrupted or the kernel restarted); nothing was sent",
      );
    this.pending.delete(id);
    // Ended before the line goes: what the cell prints with it comes after, in the log too.
    this.end(id, { status: "answered", ...(pending.password ? {} : { value }) });
    await pending.kernel.replyInput(pending.request, value);
    return { ok: true };
  }

  /** The prompt pending longest: the one a line typed at a terminal answers. */
  oldest(): { id: string; prompt: string; password: boolean } | undefined {
    for (const [id, pending] of this.pending)
      return { id, prompt: String(pending.request.content.prompt ?? ""), password: pending.password };
    return undefined;
  }

  /** Answers the prompt pending longest (a line typed at a terminal); none pending: nothing. */
  async answerOldest(value: string): Promise<void> {
    const oldest = this.oldest();
    if (oldest) await this.answer(oldest.id, value);
  }

  /** The evaluation `evalId` ended: a prompt of its still pending is not waited on any more. */
  evaluationEnded(evalId: string): void {
    for (const [id, pending] of this.pending) if (pending.eval === evalId) this.cancel(id, "its cell ended");
  }

  /** Every pending prompt is cancelled (interrupt, restart, the kernel ended). */
  cancelAll(reason: string): void {
    for (const id of [...this.pending.keys()]) this.cancel(id, reason);
  }

  private cancel(id: string, reason: string): void {
    this.pending.delete(id);
    this.end(id, { status: "cancelled", reason });
  }

  private end(id: string, end: Omit<InputEndData, "id">): void {
    this.events.emit("input-end", { id, ...end });
    this.changed();
  }
}
