/**
 * `workspace`: a live runtime ("image"), a Jupyter kernel started from a kernelspec's own argv
 * and reached over ZeroMQ (`jupyter/`). Everything it prints on iopub becomes the kind's events
 * (`protocol/workspace/events.ts`) and a readable transcript as `output`, whoever asked for it:
 * our evaluations, another client's, a background thread. Capabilities: `command` (eval,
 * interrupt, restart, complete, doc, variables, inspect, buffer, inspector-state, stats,
 * kernels, input), `signal` (SIGINT interrupts; anything else ends it) and `resize` (the
 * terminal's size, which the console's line wraps at: the hub sends it as for a terminal).
 *
 * A kernel that dies ends the session (`exit` with the reason); `dispatch revive` starts a
 * fresh one and re-runs `options.replay` in order, then writes a `replay` event.
 * Input typed by a terminal client goes through a REPL's line editor (`Console`); its cells
 * run in mode `print`, and say whose they are (the hub names who typed them) as `eval`'s do.
 *
 * This module wires the parts in `workspace/`: the kernel's life (`LiveKernel`), the order
 * cells run in (`jupyter/CellQueue`, `CellRunner`), the evaluations and their events
 * (`Evaluations`), the transcript (`Transcript`), a cell's `input()` prompts (`Prompts`), the
 * variables and inspector (`Introspection`), and the kernel's answers about code
 * (`kernelQueries`).
 */
import { DispatchError } from "../../core/errors.js";
import { WorkspaceOptions } from "../../kinds/workspace/options.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import type { Caller } from "../../protocol/people.js";
import type { EvalResult, InspectArgs, KernelStats } from "../../protocol/workspace/commands.js";
import type { EvalMode, VariablesData } from "../../protocol/workspace/events.js";
import { adapterFor } from "./jupyter/adapters/registry.js";
import { CellQueue } from "./jupyter/CellQueue.js";
import { findKernelSpec, listKernelSpecs } from "./jupyter/kernelspecs.js";
import type { InputFrom, RuntimeContext, SessionRuntime } from "./runtime.js";
import { CellRunner } from "./workspace/CellRunner.js";
import { Console } from "./workspace/Console.js";
import { Evaluations } from "./workspace/Evaluations.js";
import { Introspection } from "./workspace/Introspection.js";
import { completeNow, completeness, completions, documentation } from "./workspace/kernelQueries.js";
import { LiveKernel } from "./workspace/LiveKernel.js";
import { Prompts } from "./workspace/Prompts.js";
import { RequestEnds } from "./workspace/requestEnds.js";
import { Transcript } from "./workspace/Transcript.js";

export class WorkspaceRuntime implements SessionRuntime {
  /** Every execute request waits its turn here: ours are sent one at a time (`CellQueue`). */
  private readonly cells = new CellQueue();
  /** When each of our execute requests is over on iopub (its reply alone is not enough). */
  private readonly ends = new RequestEnds();
  private readonly transcript: Transcript;
  private readonly evaluations: Evaluations;
  private readonly introspection: Introspection;
  private readonly prompts: Prompts;
  private readonly kernel: LiveKernel;
  private readonly console: Console;
  private readonly runner: CellRunner;
  private cols: number;
  private rows: number;

  constructor(private readonly context: RuntimeContext) {
    const { spec, env, events } = context;
    this.cols = spec.cols;
    this.rows = spec.rows;
    const options = parseOrBadRequest(WorkspaceOptions, spec.options ?? {}, "invalid workspace options");
    // Unknown kernel: the spawn fails at once with a did-you-mean; nothing runs.
    const kernelSpec = findKernelSpec(options.kernel, env);
    this.transcript = new Transcript(events);
    this.prompts = new Prompts(events, this.transcript, () => this.console.promptsChanged());
    this.evaluations = new Evaluations({
      events,
      transcript: this.transcript,
      ends: this.ends,
      execution: (state) => this.kernel.setExecution(state),
      interrupt: () => void this.kernel.interrupt().catch(() => undefined),
      ended: (id) => this.prompts.evaluationEnded(id),
    });
    this.introspection = new Introspection({
      language: kernelSpec.language,
      adapter: adapterFor(kernelSpec.language),
      cells: this.cells,
      ends: this.ends,
      kernel: () => this.kernel.require(),
      running: () => this.kernel.isRunning,
      reviveAdvice: () => this.kernel.reviveAdvice(),
      events,
    });
    if (spec.afterSeq > 0) events.emit("revived", {});
    this.kernel = new LiveKernel({
      context,
      spec: kernelSpec,
      transcript: this.transcript,
      onIopub: (message) => {
        this.ends.onIopub(message);
        const rest = this.introspection.take(message);
        if (rest) this.evaluations.onIopub(rest);
      },
      onInputRequest: (kernel, message) => {
        if (message.parent.msg_id) this.evaluations.started(message.parent.msg_id);
        this.prompts.requested(kernel, message);
      },
      onReady: () => {
        this.introspection.forgetVariables();
        return this.introspection.setup();
      },
      onAbort: (reason, how) => {
        // `KernelLost`: the image has ended (a client says to revive it); a restart's fresh
        // kernel is there already.
        const ename = how === "ended" ? "KernelLost" : "KernelRestarted";
        // Said apart from the running cell's end: whoever sent one of these needs to know it
        // never ran (nothing of it is in the kernel, even once revived), not only that it ended.
        this.cells.withdrawAll({ ename, evalue: `never ran (it waited its turn): ${reason}` });
        this.prompts.cancelAll(reason);
        this.evaluations.abortAll({ ename, evalue: reason });
      },
    });
    this.runner = new CellRunner({
      kernel: this.kernel,
      cells: this.cells,
      evaluations: this.evaluations,
      introspection: this.introspection,
      transcript: this.transcript,
      events,
    });
    this.console = new Console({
      echo: (text) => this.transcript.echo(text),
      atLineStart: () => this.transcript.atLineStart,
      evaluate: (code, by) => {
        this.transcript.typedCell(code);
        void this.runner.evaluate(code, "print", "client", { by }).catch(() => undefined);
      },
      pendingPrompt: () => this.prompts.oldest(),
      answer: (line) => void this.prompts.answerOldest(line).catch(() => undefined),
      // Ctrl-C took the line off the screen, the prompt of a cell waiting in input() with it.
      // An interrupt that did not happen (a xeus kernel's refusal, in the transcript above)
      // leaves that cell waiting: its prompt is shown again, below the refusal.
      interrupt: () => void this.runner.interrupt().catch(() => this.console.promptsChanged()),
      completeness: (code) => completeness(this.kernel.idle, code),
      complete: (code, cursor) => completeNow(this.kernel.idle, code, cursor),
      cols: () => this.cols,
    });
    this.transcript.below(this.console);
    this.kernel.ready
      .then(() => (options.replay.length > 0 ? this.runner.replay(options.replay) : undefined))
      .catch(() => undefined);
  }

  get isRunning(): boolean {
    return this.kernel.isRunning;
  }

  get pid(): number | null {
    return this.kernel.pid;
  }

  get exitCode(): number | null {
    return this.kernel.exitCode;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  resize(cols: number, rows: number): void {
    if (!this.kernel.isRunning || (cols === this.cols && rows === this.rows)) return;
    this.cols = cols;
    this.rows = rows;
    this.context.events.emit("resize", { cols, rows });
  }

  async variables(): Promise<VariablesData> {
    await this.kernel.ready;
    return this.introspection.variables();
  }

  async inspect(args: InspectArgs): Promise<EvalResult["inspected"]> {
    await this.kernel.ready;
    return this.introspection.inspect(args);
  }

  command(name: string, args: unknown, by?: Caller): unknown {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (name) {
      case "eval":
        return this.runner.evaluate(String(a.code), a.mode as EvalMode, "client", {
          ref: typeof a.ref === "string" ? a.ref : undefined,
          by,
        });
      case "interrupt":
        return typeof a.ref === "string" ? this.runner.interruptOne(a.ref) : this.runner.interrupt();
      case "input":
        return this.prompts.answer(String(a.id), String(a.value));
      case "restart":
        return this.kernel.restart().then(() => ({ ok: true }));
      case "complete":
        return this.kernel.ready.then(() =>
          completions(this.kernel.require(), String(a.code), a.cursor as number | undefined),
        );
      case "doc": {
        const detail = (a.detail as 0 | 1) ?? 0;
        return this.kernel.ready.then(() =>
          documentation(this.kernel.require(), String(a.code), a.cursor as number | undefined, detail),
        );
      }
      case "variables":
        return this.variables();
      case "inspect":
        return this.inspect(a as InspectArgs);
      case "buffer":
        this.context.events.emit("buffer", { text: String(a.text) });
        return { ok: true };
      case "inspector-state":
        this.context.events.emit("inspector-state", {
          selected: a.selected ?? null,
          expanded: a.expanded ?? [],
        });
        return { ok: true };
      case "stats":
        return this.stats();
      case "kernels":
        return { kernels: listKernelSpecs(this.context.env).map(({ env: _env, ...spec }) => spec) };
      default:
        throw new DispatchError("bad_request", `workspace has no command '${name}'`);
    }
  }

  private stats(): KernelStats {
    const { pid, rss, cpuSeconds, cpuPercent, startedAt, connection, health, execution } =
      this.kernel.stats();
    const lastEvaluationAt = this.evaluations.lastSentAt;
    const queued = this.cells.queued;
    return {
      pid,
      rss,
      cpuSeconds,
      cpuPercent,
      startedAt,
      lastEvaluationAt,
      connection,
      health,
      execution,
      queued,
    };
  }

  input(data: string, from?: InputFrom): void {
    if (!this.kernel.isRunning) throw new DispatchError("session_exited", "the kernel has ended");
    // Named only when the hub said both: an id alone is nothing to show.
    const { by, name } = from ?? {};
    this.console.type(data, by !== undefined && name !== undefined ? { id: by, name } : undefined);
  }

  /** SIGINT interrupts the evaluation; any other signal ends the workspace. */
  signal(signal: string): void {
    if (signal === "SIGINT" || signal === "INT") {
      void this.runner.interrupt().catch(() => undefined);
      return;
    }
    this.stop();
  }

  stop(): void {
    this.kernel.stop();
  }

  dispose(): void {
    this.cells.withdrawAll({ ename: "KernelLost", evalue: "the host is shutting down" });
    this.kernel.dispose();
  }
}
