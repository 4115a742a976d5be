/**
 * `workspace`: a live runtime ("image"), a Jupyter kernel started from a kernelspec's own argv
 * and reached over ZeroMQ (`jupyter/`). Everything it prints on iopub becomes the kind's events
 * (`protocol/workspace/events.ts`) and a readable transcript as `output`, whoever asked for it:
 * our evaluations, another client's, a background thread. Capabilities: `command` (eval,
 * interrupt, restart, complete, doc, variables, inspect, buffer, inspector-state, stats,
 * kernels) and `signal` (SIGINT interrupts; anything else ends it).
 *
 * A kernel that dies ends the session (`exit` with the reason); `dispatch revive` starts a
 * fresh one and re-runs `options.replay` in order, then writes a `replay` event.
 * Input typed by a terminal client runs line by line in mode `print`.
 */
import { randomUUID } from "node:crypto";
import { constants as os } from "node:os";
import { DispatchError, toDispatchError } from "../../core/errors.js";
import { WorkspaceOptions } from "../../kinds/workspace/options.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import {
  type EvalResult,
  type InspectArgs,
  InspectedObject,
  type InterruptResult,
  type KernelStats,
} from "../../protocol/workspace/commands.js";
import {
  type EvalFailure,
  type EvalMode,
  type EvalOutput,
  type ExecutionState,
  type KernelData,
  type KernelHealth,
  Variable,
  type VariablesData,
} from "../../protocol/workspace/events.js";
import type { IntrospectionAdapter } from "./jupyter/adapters/adapter.js";
import { adapterFor } from "./jupyter/adapters/registry.js";
import { CellQueue, Withdrawn } from "./jupyter/CellQueue.js";
import { describeExit, Kernel } from "./jupyter/Kernel.js";
import { findKernelSpec, type KernelSpec, listKernelSpecs } from "./jupyter/kernelspecs.js";
import { OutputBudget, outputOf, render } from "./jupyter/outputs.js";
import { cpuSeconds, residentBytes } from "./jupyter/processInfo.js";
import type { JupyterMessage } from "./jupyter/wire.js";
import type { RuntimeContext, SessionRuntime } from "./runtime.js";

/** After the reply, how long to wait for the kernel's idle status (outputs come before it). */
const IDLE_AFTER_REPLY_MS = 2000;

/** Why an evaluation withdrawn by its client's `interrupt {ref}` never ran. */
const CANCELLED: EvalFailure = {
  ename: "Cancelled",
  evalue: "withdrawn before it started (it was waiting behind another evaluation)",
};

interface Evaluation {
  id: string;
  origin: "client" | "replay" | "other";
  code: string;
  mode: EvalMode;
  /** The client's name for it (`eval {ref}`), which its `interrupt {ref}` gives. */
  ref?: string;
  /** Its `eval-start` and input line were written: the kernel has started it. */
  announced: boolean;
  /** Its client interrupted it while the kernel had it but had not started it yet. */
  interruptOnStart: boolean;
  count: number | null;
  outputs: EvalOutput[];
  budget: OutputBudget;
  errored: boolean;
  ended: boolean;
  /** Why it ended aborted or in error, as its `eval-end` said (the kernel exited, its code). */
  error?: { ename: string; evalue: string };
  idle: Promise<void>;
  markIdle(): void;
}

interface QuietRequest {
  stdout: string[];
  markIdle(): void;
}

export class WorkspaceRuntime implements SessionRuntime {
  private readonly spec: KernelSpec;
  private readonly adapter: IntrospectionAdapter | undefined;
  private kernel: Kernel | undefined;
  private ready: Promise<void>;
  private running = true;
  private stopping = false;
  private code: number | null = null;
  private execution: ExecutionState = "starting";
  private health: KernelHealth = "ok";
  private readonly evaluations = new Map<string, Evaluation>();
  /** Every execute request waits its turn here: ours are sent one at a time (`CellQueue`). */
  private readonly cells = new CellQueue();
  private readonly quiet = new Map<string, QuietRequest>();
  /** Output outside any known evaluation (a background thread after its cell), bounded per stretch. */
  private strayBudget = new OutputBudget();
  private lastVariables = "";
  private typed = "";
  /** When the current kernel process started, and the last CPU reading (`stats`). */
  private startedAt: number | null = null;
  private cpuSample: { at: number; seconds: number } | undefined;
  private lastEvaluationAt: number | null = null;

  constructor(private readonly context: RuntimeContext) {
    const { spec, env, events } = context;
    const options = parseOrBadRequest(WorkspaceOptions, spec.options ?? {}, "invalid workspace options");
    // Unknown kernel: the spawn fails at once with a did-you-mean; nothing runs.
    this.spec = findKernelSpec(options.kernel, env);
    this.adapter = adapterFor(this.spec.language);
    if (spec.afterSeq > 0) events.emit("revived", {});
    this.emitKernel({
      kernel: this.spec.name,
      displayName: this.spec.displayName,
      language: this.spec.language,
      connection: "disconnected",
      execution: "starting",
      health: "ok",
      pid: null,
    });
    this.print(render.note(`starting kernel ${this.spec.name} (${this.spec.displayName})`));
    this.ready = this.boot(true);
    this.ready
      .then(() => (options.replay.length > 0 ? this.replay(options.replay) : undefined))
      .catch(() => undefined);
  }

  get isRunning(): boolean {
    return this.running;
  }

  get pid(): number | null {
    return this.kernel?.pid ?? null;
  }

  get exitCode(): number | null {
    return this.code;
  }

  // ---- lifecycle ---------------------------------------------------------------------

  private async boot(first: boolean): Promise<void> {
    const { spec, env, events } = this.context;
    let kernel: Kernel;
    try {
      kernel = await Kernel.start({
        spec: this.spec,
        id: spec.id,
        cwd: spec.cwd,
        env,
        runDir: this.context.runDir,
        handlers: {
          onIopub: (message) => this.onIopub(message),
          onHealth: (health) => {
            this.health = health;
            this.emitKernel({ health });
          },
          onUnresponsive: (missed) => {
            // Frozen (stopped, wedged): end the session so it shows as failed, and stop the process.
            if (!this.stopping && this.running)
              this.end(
                null,
                null,
                `kernel stopped answering its heartbeat (${missed} missed); revive starts a fresh one`,
              );
          },
          onExit: (code, signal) => this.onKernelExit(code, signal),
          onProcessOutput: (text) => this.print(text.replace(/\r?\n/g, "\r\n")),
          onDropped: (channel, reason) =>
            this.print(render.note(`dropped a message from the kernel on ${channel}: ${reason}`)),
        },
      });
    } catch (err) {
      if (this.running) this.end(null, null, toDispatchError(err).message);
      throw err;
    }
    if (!this.running) {
      kernel.close();
      throw new DispatchError("session_exited", "the workspace was stopped");
    }
    this.kernel = kernel;
    this.startedAt = Date.now();
    this.cpuSample = undefined;
    if (first)
      events.emit("start", {
        pid: kernel.pid ?? 0,
        command: this.spec.argv,
        cwd: spec.cwd,
        cols: spec.cols,
        rows: spec.rows,
      });
    const info = await kernel.request("shell", "kernel_info_request", {}).reply;
    const implementation = String(info.content.implementation ?? "");
    this.execution = "idle";
    this.health = "ok";
    this.emitKernel({
      pid: kernel.pid,
      implementation,
      connection: "connected",
      execution: "idle",
      health: "ok",
    });
    this.print(render.note(`kernel ${this.spec.name} ready (${implementation}, pid ${kernel.pid})`));
    if (this.adapter) await this.runQuiet(this.adapter.setup).catch(() => undefined);
  }

  private async replay(evaluations: { code: string; mode: EvalMode }[]): Promise<void> {
    this.print(render.note(`replaying ${evaluations.length} evaluation(s)`));
    let ran = 0;
    const failed: { code: string; ename: string; evalue: string }[] = [];
    for (const { code, mode } of evaluations) {
      if (!this.running) break;
      const result = await this.evaluate(code, mode, "replay").catch((err: unknown) => {
        const error = toDispatchError(err);
        return { status: "aborted" as const, error: { ename: error.code, evalue: error.message } };
      });
      ran++;
      if (result.status !== "ok")
        failed.push({ code, ename: result.error?.ename ?? "aborted", evalue: result.error?.evalue ?? "" });
    }
    this.context.events.emit("replay", { total: evaluations.length, ran, failed });
    this.print(render.note(`replay: ${ran} of ${evaluations.length} ran, ${failed.length} failed`));
  }

  private onKernelExit(code: number | null, signal: NodeJS.Signals | null): void {
    // While it starts, `boot` ends the session with the fuller reason.
    if (this.stopping || !this.running || !this.kernel) return;
    this.end(code, signal, `kernel ${describeExit(code, signal)}`);
  }

  /** Ends the session: what was running is aborted, the kernel marked dead, then `exit`. */
  private end(code: number | null, signal: NodeJS.Signals | null, reason: string, asked = false): void {
    if (!this.running) return;
    this.running = false;
    this.cells.withdrawAll({ ename: "KernelLost", evalue: reason });
    this.abortAll(reason);
    this.kernel?.close();
    this.emitKernel({ connection: asked ? "disconnected" : "failed", execution: "dead" });
    this.print(render.note(reason));
    this.code = code;
    this.context.events.emit("exit", {
      code,
      signal: signal ? (os.signals[signal] ?? null) : null,
      reason,
    });
    this.context.exited();
  }

  private abortAll(reason: string): void {
    for (const evaluation of this.evaluations.values()) {
      if (evaluation.ended) continue;
      this.finish(evaluation, { status: "aborted", error: { ename: "KernelLost", evalue: reason } });
    }
  }

  // ---- evaluation ----------------------------------------------------------------------

  /**
   * Runs code when its turn comes (after the evaluations sent before it); the answer once the
   * kernel is idle again. Withdrawn before its turn (its client's `interrupt {ref}`, the kernel
   * ended or restarted), it never reaches the kernel and answers `aborted` with why.
   */
  private async evaluate(
    code: string,
    mode: EvalMode,
    origin: "client" | "replay",
    ref?: string,
  ): Promise<EvalResult> {
    await this.ready;
    const turn = this.cells.join(ref);
    try {
      await turn.ready;
    } catch (err) {
      if (!(err instanceof Withdrawn)) throw err;
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
      result = await this.execute(code, mode, origin, ref);
    } finally {
      turn.done();
    }
    if (mode === "inspect" && result.status === "ok" && this.adapter)
      result.inspected = await this.inspect({ expr: this.adapter.lastResult, offset: 0, limit: 50 }).catch(
        () => undefined,
      );
    if (origin === "client" && result.status !== "aborted")
      void this.refreshVariables().catch(() => undefined);
    return result;
  }

  /** Sends the execute request (the turn is this one's) and waits for its reply and idle status. */
  private async execute(
    code: string,
    mode: EvalMode,
    origin: "client" | "replay",
    ref: string | undefined,
  ): Promise<EvalResult> {
    const kernel = this.requireKernel();
    const { id, reply } = kernel.request("shell", "execute_request", {
      code,
      silent: false,
      store_history: true,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    const evaluation = this.track(id, { origin, code, mode, ref });
    this.lastEvaluationAt = Date.now();
    this.strayBudget = new OutputBudget();
    let answer: JupyterMessage;
    try {
      answer = await reply;
    } catch (err) {
      // The kernel died or restarted under it: usually already finished as aborted, with why
      // (`kernel exited with code 1`), which the result carries rather than the closed request's.
      this.finish(evaluation, {
        status: "aborted",
        error: { ename: "KernelLost", evalue: toDispatchError(err).message },
      });
      return this.result(evaluation, "aborted", evaluation.error);
    }
    await Promise.race([evaluation.idle, new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_REPLY_MS))]);
    const content = answer.content;
    const count = typeof content.execution_count === "number" ? content.execution_count : evaluation.count;
    evaluation.count = count;
    const status = content.status === "ok" ? "ok" : content.status === "error" ? "error" : "aborted";
    const error =
      status === "error"
        ? { ename: String(content.ename ?? "Error"), evalue: String(content.evalue ?? "") }
        : undefined;
    if (!evaluation.ended) this.finish(evaluation, { status, ...(error ? { error } : {}) });
    return this.result(evaluation, status, error);
  }

  private result(
    evaluation: Evaluation,
    status: EvalResult["status"],
    error?: EvalResult["error"],
  ): EvalResult {
    return {
      id: evaluation.id,
      count: evaluation.count,
      status,
      outputs: evaluation.outputs,
      ...(error ? { error } : {}),
      truncatedBytes: evaluation.budget.dropped,
    };
  }

  private track(
    id: string,
    what: Pick<Evaluation, "origin" | "code" | "mode"> & { ref?: string | undefined },
  ): Evaluation {
    let markIdle = () => {};
    const idle = new Promise<void>((resolve) => {
      markIdle = resolve;
    });
    const evaluation: Evaluation = {
      id,
      origin: what.origin,
      code: what.code,
      mode: what.mode,
      ...(what.ref !== undefined ? { ref: what.ref } : {}),
      announced: false,
      interruptOnStart: false,
      count: null,
      outputs: [],
      budget: new OutputBudget(),
      errored: false,
      ended: false,
      idle,
      markIdle,
    };
    this.evaluations.set(id, evaluation);
    return evaluation;
  }

  /**
   * Writes its `eval-start` and input line once the kernel starts it (its `execute_input` on
   * iopub, which comes after everything the cell before it printed), not when it was sent: so
   * the transcript never shows a cell's input in the middle of another's output.
   */
  private announce(evaluation: Evaluation): void {
    if (evaluation.announced) return;
    evaluation.announced = true;
    const { id, code, mode, origin } = evaluation;
    this.context.events.emit("eval-start", { id, code, mode, origin });
    this.print(render.input(code, origin));
    if (evaluation.interruptOnStart && !evaluation.ended)
      void this.kernel?.interrupt().catch(() => undefined);
  }

  private finish(
    evaluation: Evaluation,
    end: { status: "ok" | "error" | "aborted"; error?: { ename: string; evalue: string } },
  ): void {
    if (evaluation.ended) return;
    // Never seen to start (the kernel died first, or sent no execute_input): its input still
    // goes before its end, so the history has it.
    evaluation.interruptOnStart = false;
    this.announce(evaluation);
    evaluation.ended = true;
    if (end.error) evaluation.error = end.error;
    const truncatedBytes = evaluation.budget.dropped;
    if (truncatedBytes > 0) this.print(render.truncated(truncatedBytes));
    this.context.events.emit("eval-end", {
      id: evaluation.id,
      count: evaluation.count,
      ...end,
      truncatedBytes,
    });
    // Kept a while for late output (a background thread of that cell), then forgotten.
    setTimeout(() => this.evaluations.delete(evaluation.id), 60_000).unref();
  }

  private onIopub(message: JupyterMessage): void {
    const parentId = message.parent.msg_id ?? null;
    const type = message.header.msg_type;
    const quiet = parentId ? this.quiet.get(parentId) : undefined;
    if (quiet) {
      if (type === "stream" && message.content.name === "stdout")
        quiet.stdout.push(String(message.content.text ?? ""));
      if (type === "status" && message.content.execution_state === "idle") quiet.markIdle();
      return;
    }
    let evaluation = parentId ? this.evaluations.get(parentId) : undefined;
    switch (type) {
      case "status": {
        const state = message.content.execution_state;
        // Busy/idle around completions and lookups is noise; evaluations are what users wait on.
        const evaluating = message.parent.msg_type === "execute_request";
        if (evaluating && (state === "busy" || state === "idle" || state === "starting"))
          this.setExecution(state);
        if (state === "idle" && evaluation) {
          evaluation.markIdle();
          // Another client's evaluation has no reply for us: its idle status ends it.
          if (evaluation.origin === "other")
            this.finish(evaluation, evaluation.errored ? { status: "error" } : { status: "ok" });
        }
        return;
      }
      case "execute_input": {
        const count =
          typeof message.content.execution_count === "number" ? message.content.execution_count : null;
        if (evaluation) {
          evaluation.count = count;
          this.announce(evaluation);
          return;
        }
        if (!parentId) return;
        // Another client (a notebook, jupyter console) is evaluating in this kernel.
        evaluation = this.track(parentId, {
          origin: "other",
          code: String(message.content.code ?? ""),
          mode: "do",
        });
        evaluation.count = count;
        this.announce(evaluation);
        return;
      }
      default: {
        const output = outputOf(message);
        if (!output) return;
        if (evaluation && !evaluation.ended) this.announce(evaluation);
        if (evaluation && output.type === "error") evaluation.errored = true;
        const budget = evaluation && !evaluation.ended ? evaluation.budget : this.strayBudget;
        const kept = budget.take(output);
        if (!kept) return;
        if (evaluation && !evaluation.ended) evaluation.outputs.push(kept);
        const count = evaluation?.count ?? null;
        this.context.events.emit("eval-output", {
          id: evaluation ? evaluation.id : null,
          count,
          output: kept,
        });
        this.print(render.output(kept, count));
      }
    }
  }

  private setExecution(state: ExecutionState): void {
    if (state === this.execution) return;
    this.execution = state;
    this.emitKernel({ execution: state });
  }

  // ---- introspection -----------------------------------------------------------------

  /** Runs adapter code silently; its stdout, once the kernel is idle again. */
  private async runQuiet(code: string): Promise<string> {
    const turn = this.cells.join();
    try {
      await turn.ready;
      return await this.executeQuiet(code);
    } catch (err) {
      if (!(err instanceof Withdrawn)) throw err;
      throw new DispatchError(
        this.running ? "conflict" : "session_exited",
        `${err.failure.evalue} before this could run; ask again${this.running ? "" : " after `dispatch revive`"}`,
      );
    } finally {
      turn.done();
    }
  }

  private async executeQuiet(code: string): Promise<string> {
    const kernel = this.requireKernel();
    let markIdle = () => {};
    const idle = new Promise<void>((resolve) => {
      markIdle = resolve;
    });
    const request = kernel.request("shell", "execute_request", {
      code,
      silent: true,
      store_history: false,
      user_expressions: {},
      allow_stdin: false,
      stop_on_error: false,
    });
    const capture: QuietRequest = { stdout: [], markIdle };
    this.quiet.set(request.id, capture);
    try {
      const reply = await request.reply;
      await Promise.race([idle, new Promise((resolve) => setTimeout(resolve, IDLE_AFTER_REPLY_MS))]);
      if (reply.content.status !== "ok")
        throw new DispatchError(
          "bad_request",
          `${String(reply.content.ename ?? "error")}: ${String(reply.content.evalue ?? "")}`,
        );
      return capture.stdout.join("");
    } finally {
      this.quiet.delete(request.id);
    }
  }

  private async adapterCall(code: string): Promise<Record<string, unknown>> {
    const stdout = await this.runQuiet(code);
    const line = stdout.trim().split("\n").pop() ?? "";
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new DispatchError(
        "internal",
        `the ${this.adapter?.name} adapter printed no JSON: ${line.slice(0, 200)}`,
      );
    }
    const record = (parsed ?? {}) as Record<string, unknown>;
    if (typeof record.error === "string") throw new DispatchError("bad_request", record.error);
    return record;
  }

  private noAdapter(): string {
    return `no introspection adapter for ${this.spec.language} kernels yet; evaluation works, the inspector stays empty`;
  }

  async variables(): Promise<VariablesData> {
    await this.ready;
    if (!this.adapter) return { adapter: null, reason: this.noAdapter(), variables: [] };
    const raw = await this.adapterCall(this.adapter.variables());
    const variables = Variable.array().parse(raw.variables);
    const snapshot: VariablesData = { adapter: this.adapter.name, variables };
    const key = JSON.stringify(snapshot);
    if (key !== this.lastVariables) {
      this.lastVariables = key;
      this.context.events.emit("variables", snapshot);
    }
    return snapshot;
  }

  private async refreshVariables(): Promise<void> {
    if (this.adapter && this.running) await this.variables();
  }

  async inspect(args: InspectArgs): Promise<EvalResult["inspected"]> {
    await this.ready;
    if (!this.adapter) throw new DispatchError("bad_request", this.noAdapter());
    return InspectedObject.parse(
      await this.adapterCall(this.adapter.inspect(args.expr, args.offset, args.limit)),
    );
  }

  // ---- commands ------------------------------------------------------------------------

  command(name: string, args: unknown): unknown {
    const a = (args ?? {}) as Record<string, unknown>;
    switch (name) {
      case "eval":
        return this.evaluate(
          String(a.code),
          a.mode as EvalMode,
          "client",
          typeof a.ref === "string" ? a.ref : undefined,
        );
      case "interrupt":
        return typeof a.ref === "string" ? this.interruptOne(a.ref) : this.interrupt();
      case "restart":
        return this.restart();
      case "complete":
        return this.complete(String(a.code), a.cursor as number | undefined);
      case "doc":
        return this.doc(String(a.code), a.cursor as number | undefined, (a.detail as 0 | 1) ?? 0);
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

  private async interrupt(): Promise<InterruptResult> {
    await this.ready;
    await this.requireKernel().interrupt();
    return { ok: true, outcome: "interrupted" };
  }

  /**
   * Stops one client's evaluation and nobody else's: withdrawn while it waits its turn,
   * interrupted while it runs (once the kernel has started it: until then the kernel may still
   * be running another client's cell).
   */
  private async interruptOne(ref: string): Promise<InterruptResult> {
    const where = this.cells.withdraw(ref, CANCELLED);
    if (where === "withdrawn") return { ok: true, outcome: "withdrawn" };
    const evaluation = [...this.evaluations.values()].find((e) => e.ref === ref && !e.ended);
    if (where === "unknown" || !evaluation) return { ok: true, outcome: "unknown" };
    if (!evaluation.announced) {
      evaluation.interruptOnStart = true;
      return { ok: true, outcome: "interrupted" };
    }
    return this.interrupt();
  }

  private async restart(): Promise<{ ok: true }> {
    await this.ready.catch(() => undefined);
    const old = this.requireKernel();
    this.stopping = true;
    this.cells.withdrawAll({ ename: "KernelLost", evalue: "the kernel was restarted" });
    this.abortAll("the kernel was restarted");
    this.emitKernel({ connection: "reconnecting", execution: "starting" });
    this.execution = "starting";
    await old.shutdown();
    this.kernel = undefined;
    this.stopping = false;
    this.lastVariables = "";
    this.print(render.note("kernel restarting"));
    this.ready = this.boot(false);
    await this.ready;
    return { ok: true };
  }

  private async complete(code: string, cursor?: number) {
    await this.ready;
    const reply = await this.requireKernel().request("shell", "complete_request", {
      code,
      cursor_pos: cursor ?? code.length,
    }).reply;
    const c = reply.content;
    return {
      matches: Array.isArray(c.matches) ? c.matches.map(String) : [],
      cursorStart: Number(c.cursor_start ?? 0),
      cursorEnd: Number(c.cursor_end ?? code.length),
    };
  }

  private async doc(code: string, cursor: number | undefined, detail: 0 | 1) {
    await this.ready;
    const reply = await this.requireKernel().request("shell", "inspect_request", {
      code,
      cursor_pos: cursor ?? code.length,
      detail_level: detail,
    }).reply;
    const data = reply.content.data && typeof reply.content.data === "object" ? reply.content.data : {};
    const bundle = Object.fromEntries(
      Object.entries(data as Record<string, unknown>).filter(
        (entry): entry is [string, string] => typeof entry[1] === "string",
      ),
    );
    return { found: reply.content.found === true, data: bundle };
  }

  private stats(): KernelStats {
    const pid = this.kernel?.isAlive ? this.kernel.pid : null;
    const now = Date.now();
    const cpu = pid ? cpuSeconds(pid) : null;
    // CPU share since the previous look (or since the kernel started): what it does lately.
    const since =
      this.cpuSample ?? (this.startedAt !== null ? { at: this.startedAt, seconds: 0 } : undefined);
    const cpuPercent =
      cpu !== null && since && now > since.at
        ? Math.max(0, Math.round(((cpu - since.seconds) / ((now - since.at) / 1000)) * 1000) / 10)
        : null;
    if (cpu !== null) this.cpuSample = { at: now, seconds: cpu };
    return {
      pid,
      rss: pid ? residentBytes(pid) : null,
      cpuSeconds: cpu,
      cpuPercent,
      startedAt: this.startedAt,
      lastEvaluationAt: this.lastEvaluationAt,
      connection: this.kernel?.isAlive ? "connected" : "disconnected",
      health: this.health,
      execution: this.execution,
      queued: this.cells.queued,
    };
  }

  private requireKernel(): Kernel {
    if (!this.running || !this.kernel?.isAlive)
      throw new DispatchError(
        "session_exited",
        "the kernel is not running; `dispatch revive` starts a fresh one",
      );
    return this.kernel;
  }

  // ---- session core --------------------------------------------------------------------

  input(data: string): void {
    if (!this.running) throw new DispatchError("session_exited", "the kernel has ended");
    for (const char of data) {
      if (char === "\x03") {
        void this.interrupt().catch(() => undefined);
        continue;
      }
      if (char !== "\r" && char !== "\n") {
        this.typed += char;
        continue;
      }
      const line = this.typed.trim();
      this.typed = "";
      if (line.length > 0) void this.evaluate(line, "print", "client").catch(() => undefined);
    }
  }

  /** SIGINT interrupts the evaluation; any other signal ends the workspace. */
  signal(signal: string): void {
    if (signal === "SIGINT" || signal === "INT") {
      void this.interrupt().catch(() => undefined);
      return;
    }
    this.stop();
  }

  stop(): void {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    const kernel = this.kernel;
    const ended = kernel ? kernel.shutdown() : Promise.resolve();
    void ended.finally(() => {
      this.stopping = false;
      this.end(0, null, "stopped", true);
    });
  }

  dispose(): void {
    this.running = false;
    this.cells.withdrawAll({ ename: "KernelLost", evalue: "the host is shutting down" });
    this.kernel?.close();
  }

  private emitKernel(change: KernelData): void {
    this.context.events.emit("kernel", change);
  }

  private print(text: string): void {
    this.context.events.output(Buffer.from(text, "utf8"));
  }
}
