/**
 * The workspace's transcript: what the session writes as `output` bytes, a readable In/Out
 * record (`jupyter/outputs.ts` renders each step), so `dispatch logs`, terminal clients and
 * previews show what the kernel did without reading the kind's events.
 */
import type { EvalOutput } from "../../../protocol/workspace/events.js";
import { render } from "../jupyter/outputs.js";
import type { RuntimeEvents } from "../runtime.js";

export class Transcript {
  constructor(private readonly events: RuntimeEvents) {}

  /** A line from dispatch itself (the kernel started, a replay ran, why it ended). */
  note(text: string): void {
    this.write(render.note(text));
  }

  /** An evaluation's code, as it starts; `origin` other than `client` is marked. */
  input(code: string, origin: string): void {
    this.write(render.input(code, origin));
  }

  output(output: EvalOutput, count: number | null): void {
    this.write(render.output(output, count));
  }

  truncated(bytes: number): void {
    this.write(render.truncated(bytes));
  }

  /** What the kernel's process printed outside the protocol (its own stdout and stderr). */
  process(text: string): void {
    this.write(text.replace(/\r?\n/g, "\r\n"));
  }

  private write(text: string): void {
    this.events.output(Buffer.from(text, "utf8"));
  }
}
