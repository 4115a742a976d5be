/**
 * The variables list and the inspector, from the kernel language's introspection adapter
 * (`jupyter/adapters/`): its code runs silently (`silent: true, store_history: false`), in
 * its turn like any cell, and prints one JSON line after a mark, read from iopub and never shown
 * (what else comes under its request, a background thread's output, goes to the cells). The
 * variables are written as a `variables` event when they change, so every client and a
 * restarted hub show the same list.
 */
import { DispatchError } from "../../../core/errors.js";
import { type EvalResult, type InspectArgs, InspectedObject } from "../../../protocol/workspace/commands.js";
import { Variable, type VariablesData } from "../../../protocol/workspace/events.js";
import type { IntrospectionAdapter } from "../jupyter/adapters/adapter.js";
import { type CellQueue, Withdrawn } from "../jupyter/CellQueue.js";
import type { Kernel } from "../jupyter/Kernel.js";
import { exceptionName } from "../jupyter/outputs.js";
import type { JupyterMessage } from "../jupyter/wire.js";
import type { RuntimeEvents } from "../runtime.js";
import { QuietStdout } from "./QuietStdout.js";
import type { RequestEnds } from "./requestEnds.js";

export interface IntrospectionOptions {
  /** The kernel's language, for the reason there is no adapter. */
  language: string;
  adapter: IntrospectionAdapter | undefined;
  /** The kernel's queue: adapter code waits its turn like any cell. */
  cells: CellQueue;
  /** When a request is over on iopub. */
  ends: RequestEnds;
  /** The running kernel; throws `session_exited` when there is none. */
  kernel(): Kernel;
  /** Whether the session still runs (what a withdrawn request's error says to do). */
  running(): boolean;
  /** What to type to start the ended image again, by its current name (`reviveAdvice`). */
  reviveAdvice(): string;
  events: RuntimeEvents;
}

export class Introspection {
  /** The stdout of each silent request of ours, by its msg_id. */
  private readonly quiet = new Map<string, QuietStdout>();
  private lastVariables = "";

  constructor(private readonly options: IntrospectionOptions) {}

  get adapter(): IntrospectionAdapter | undefined {
    return this.options.adapter;
  }

  /**
   * Takes what is the adapter's in the iopub messages of its own silent requests (its answer,
   * status, error) and gives back the rest, for the evaluations: what a background thread
   * printed or displayed meanwhile, which the kernel sends under our request (`QuietStdout`).
   */
  take(message: JupyterMessage): JupyterMessage | undefined {
    const parentId = message.parent.msg_id;
    const quiet = parentId ? this.quiet.get(parentId) : undefined;
    if (!quiet) return message;
    switch (message.header.msg_type) {
      case "stream": {
        if (message.content.name !== "stdout") return message;
        const shown = quiet.take(String(message.content.text ?? ""));
        return shown ? { ...message, content: { ...message.content, text: shown } } : undefined;
      }
      case "display_data":
      case "update_display_data":
      case "clear_output":
        return message;
      default:
        // Its status, and the adapter code's own error: no cell's.
        return undefined;
    }
  }

  /** Defines the adapter's hidden global in a fresh kernel; a kernel without an adapter has none. */
  async setup(): Promise<void> {
    if (this.options.adapter) await this.runQuiet(this.options.adapter.setup);
  }

  /** A fresh kernel: the next variables are written even if they equal the last ones. */
  forgetVariables(): void {
    this.lastVariables = "";
  }

  async variables(): Promise<VariablesData> {
    const { adapter } = this.options;
    if (!adapter) return { adapter: null, reason: this.noAdapter(), variables: [] };
    const raw = await this.adapterCall(adapter.variables());
    const variables = Variable.array().parse(raw.variables);
    const snapshot: VariablesData = { adapter: adapter.name, variables };
    const key = JSON.stringify(snapshot);
    if (key !== this.lastVariables) {
      this.lastVariables = key;
      this.options.events.emit("variables", snapshot);
    }
    return snapshot;
  }

  async inspect(args: InspectArgs): Promise<EvalResult["inspected"]> {
    const { adapter } = this.options;
    if (!adapter) throw new DispatchError("bad_request", this.noAdapter());
    return InspectedObject.parse(await this.adapterCall(adapter.inspect(args.expr, args.offset, args.limit)));
  }

  /** Runs adapter code silently; its answer (if it gave one), once the kernel is idle again. */
  private async runQuiet(code: string): Promise<string | undefined> {
    const turn = this.options.cells.join(undefined, "quiet");
    try {
      await turn.ready;
      return await this.executeQuiet(code, () => turn.done());
    } catch (err) {
      if (!(err instanceof Withdrawn)) throw err;
      const running = this.options.running();
      const { evalue } = err.failure;
      throw new DispatchError(
        running ? "conflict" : "session_exited",
        `${evalue} before this could run; ${this.askAgain(running, evalue)}`,
      );
    } finally {
      turn.done();
    }
  }

  /** What to do about a request the kernel's restart (`running`) or end withdrew. */
  private askAgain(running: boolean, evalue: string): string {
    if (running) return "ask again";
    // The end's reason may say how to revive already (a frozen kernel's): not said twice.
    if (/\brevive\b/.test(evalue)) return "ask again once it is revived";
    return `${this.options.reviveAdvice()}, then ask again`;
  }

  /** Its answer once it is over on iopub; `replied` as its reply comes (the next may go then). */
  private async executeQuiet(code: string, replied: () => void): Promise<string | undefined> {
    const kernel = this.options.kernel();
    const request = kernel.request("shell", "execute_request", {
      code,
      silent: true,
      store_history: false,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    const stdout = new QuietStdout();
    const { ends } = this.options;
    this.quiet.set(request.id, stdout);
    ends.follow(request.id);
    try {
      const reply = await request.reply;
      replied();
      await ends.afterReply(request.id);
      if (reply.content.status !== "ok")
        throw new DispatchError(
          "bad_request",
          `${exceptionName(reply.content.ename)}: ${String(reply.content.evalue ?? "")}`,
        );
      return stdout.answer;
    } finally {
      ends.forget(request.id);
      this.quiet.delete(request.id);
    }
  }

  private async adapterCall(code: string): Promise<Record<string, unknown>> {
    const answer = await this.runQuiet(code);
    const name = this.options.adapter?.name;
    if (answer === undefined)
      throw new DispatchError(
        "internal",
        `the ${name} adapter's answer never came on the kernel's stdout (is it redirected?); ask again`,
      );
    let parsed: unknown;
    try {
      parsed = JSON.parse(answer);
    } catch {
      throw new DispatchError(
        "internal",
        `the ${name} adapter answered with no JSON: ${answer.slice(0, 200)}`,
      );
    }
    const record = (parsed ?? {}) as Record<string, unknown>;
    if (typeof record.error === "string") throw new DispatchError("bad_request", record.error);
    return record;
  }

  private noAdapter(): string {
    return `no introspection adapter for ${this.options.language} kernels yet; evaluation works, the inspector stays empty`;
  }
}
