/**
 * The image's kernel for as long as the session lives: started from the kernelspec, restarted
 * as a fresh process, ended when it dies, freezes or is stopped. Its facts and state
 * (connection, health, execution) are written as `kernel` events as they change, and its end
 * as the session's `exit` with the reason.
 */
import { constants as os } from "node:os";
import { DispatchError, toDispatchError } from "../../../core/errors.js";
import { reviveAdvice } from "../../../kinds/reviveAdvice.js";
import { workspaceKind } from "../../../kinds/workspace/index.js";
import type { KernelStats } from "../../../protocol/workspace/commands.js";
import type { ExecutionState, KernelData, KernelHealth } from "../../../protocol/workspace/events.js";
import { interruptRefusal } from "../jupyter/interrupts.js";
import { Kernel } from "../jupyter/Kernel.js";
import { describeExit, KernelStartFailure } from "../jupyter/kernelFailures.js";
import type { KernelSpec } from "../jupyter/kernelspecs.js";
import type { JupyterMessage } from "../jupyter/wire.js";
import type { RuntimeContext } from "../runtime.js";
import { ProcessUsage } from "./ProcessUsage.js";
import type { Transcript } from "./Transcript.js";

export interface LiveKernelOptions {
  context: RuntimeContext;
  spec: KernelSpec;
  transcript: Transcript;
  onIopub(message: JupyterMessage): void;
  /** A cell of ours waits for a line (`kernel.replyInput` answers it). */
  onInputRequest(kernel: Kernel, message: JupyterMessage): void;
  /** A fresh kernel answers: what it needs before anyone's code (the adapter's setup). */
  onReady(): Promise<void>;
  /**
   * The kernel ends or restarts: what waits for it or runs in it is aborted, with `reason`
   * (`ended`: the session with it, and only a revive brings a kernel back).
   */
  onAbort(reason: string, how: "ended" | "restarted"): void;
}

export class LiveKernel {
  private kernel: Kernel | undefined;
  /** Settles once the current kernel has answered (rejects if it could not start). */
  ready: Promise<void>;
  private running = true;
  private stopping = false;
  private code: number | null = null;
  private execution: ExecutionState = "starting";
  private health: KernelHealth = "ok";
  /** The running kernel's `implementation` (kernel_info), which says whether it survives an interrupt. */
  private implementation = "";
  private readonly usage = new ProcessUsage();

  constructor(private readonly options: LiveKernelOptions) {
    const { spec, transcript } = options;
    this.emit({
      kernel: spec.name,
      displayName: spec.displayName,
      language: spec.language,
      connection: "disconnected",
      execution: "starting",
      health: "ok",
      pid: null,
    });
    transcript.note(`starting kernel ${spec.name} (${spec.displayName})`);
    this.ready = this.boot(true);
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

  /** The running kernel when it runs no cell (it answers shell requests at once), else undefined. */
  get idle(): Kernel | undefined {
    return this.running && this.kernel?.isAlive && this.execution === "idle" ? this.kernel : undefined;
  }

  /** The running kernel; `session_exited` (revive starts a fresh one) when there is none. */
  require(): Kernel {
    if (!this.running || !this.kernel?.isAlive)
      throw new DispatchError("session_exited", `the kernel is not running; ${this.reviveAdvice()}`);
    return this.kernel;
  }

  /** What to type to start the ended image again, by its current name (`reviveAdvice`). */
  reviveAdvice(): string {
    return reviveAdvice(this.options.context.name?.() ?? "IMAGE", workspaceKind.revivedAs);
  }

  /**
   * Interrupts whatever the kernel runs; refused (`conflict`, with what to do, also noted in the
   * transcript for whoever pressed Ctrl-C at an attach) for a kernel an interrupt would end.
   */
  async interrupt(): Promise<void> {
    await this.ready;
    const kernel = this.require();
    const refused = interruptRefusal(this.implementation, this.options.context.name?.());
    if (refused) {
      this.options.transcript.note(`not interrupted: ${refused}`);
      throw new DispatchError("conflict", refused);
    }
    await kernel.interrupt();
  }

  /** The kernel's execution state, as iopub says it for evaluations. */
  setExecution(state: ExecutionState): void {
    if (state === this.execution) return;
    this.execution = state;
    this.emit({ execution: state });
  }

  /** The process's figures and the kernel's state (`stats`, without what the runtime adds). */
  stats(): Omit<KernelStats, "lastEvaluationAt" | "queued"> {
    const pid = this.kernel?.isAlive ? this.kernel.pid : null;
    return {
      pid,
      ...this.usage.sample(pid),
      startedAt: this.usage.startedAt,
      connection: this.kernel?.isAlive ? "connected" : "disconnected",
      health: this.health,
      execution: this.execution,
    };
  }

  async restart(): Promise<void> {
    await this.ready.catch(() => undefined);
    const old = this.require();
    const busy = this.execution !== "idle";
    this.stopping = true;
    this.options.onAbort("the kernel was restarted", "restarted");
    this.emit({ connection: "reconnecting", execution: "starting" });
    this.execution = "starting";
    await old.shutdown({ busy });
    this.kernel = undefined;
    this.stopping = false;
    this.options.transcript.note("kernel restarting");
    this.ready = this.boot(false);
    await this.ready;
  }

  /** Shuts the kernel down (it gets its grace period) and ends the session with code 0. */
  stop(): void {
    if (!this.running || this.stopping) return;
    this.stopping = true;
    const kernel = this.kernel;
    const ended = kernel ? kernel.shutdown({ busy: this.execution !== "idle" }) : Promise.resolve();
    void ended.finally(() => {
      this.stopping = false;
      this.end(0, null, "stopped", true);
    });
  }

  /** The host is done with it: the process goes at once, and no `exit` is written. */
  dispose(): void {
    this.running = false;
    this.kernel?.close();
  }

  private async boot(first: boolean): Promise<void> {
    const { context, spec: kernelSpec, transcript } = this.options;
    const { spec, env, events } = context;
    let kernel: Kernel;
    try {
      kernel = await Kernel.start({
        spec: kernelSpec,
        id: spec.id,
        cwd: spec.cwd,
        env,
        runDir: context.runDir,
        handlers: {
          onIopub: (message) => this.options.onIopub(message),
          // Only once started: a request comes for an execute request, sent after `start`.
          onInputRequest: (message) => this.options.onInputRequest(kernel, message),
          onHealth: (health) => {
            this.health = health;
            this.emit({ health });
          },
          onUnresponsive: (missed) => {
            // Frozen (stopped, wedged): end the session so it shows as failed, and stop the process.
            if (!this.stopping && this.running)
              this.end(
                null,
                null,
                `kernel stopped answering its heartbeat (${missed} missed); ${this.reviveAdvice()}`,
              );
          },
          onExit: (code, signal) => this.onExit(code, signal),
          onProcessOutput: (text) => transcript.process(text),
          onNote: (text) => transcript.note(text),
          onDropped: (channel, reason) =>
            transcript.note(`dropped a message from the kernel on ${channel}: ${reason}`),
        },
      });
    } catch (err) {
      // What to fix, then how to start the image again once it is: the session ends here.
      const failure =
        err instanceof KernelStartFailure ? err.withRevive(this.reviveAdvice()) : toDispatchError(err);
      if (this.running) this.end(null, null, failure.message);
      throw failure;
    }
    if (!this.running) {
      kernel.close();
      throw new DispatchError("session_exited", "the workspace was stopped");
    }
    this.kernel = kernel;
    this.usage.started();
    if (first)
      events.emit("start", {
        pid: kernel.pid ?? 0,
        command: kernelSpec.argv,
        cwd: spec.cwd,
        cols: spec.cols,
        rows: spec.rows,
      });
    const info = await kernel.request("shell", "kernel_info_request", {}).reply;
    const implementation = String(info.content.implementation ?? "");
    this.implementation = implementation;
    this.execution = "idle";
    this.health = "ok";
    this.emit({ pid: kernel.pid, implementation, connection: "connected", execution: "idle", health: "ok" });
    transcript.note(`kernel ${kernelSpec.name} ready (${implementation}, pid ${kernel.pid})`);
    await this.options.onReady().catch(() => undefined);
  }

  private onExit(code: number | null, signal: NodeJS.Signals | null): void {
    // While it starts, `boot` ends the session with the fuller reason.
    if (this.stopping || !this.running || !this.kernel) return;
    this.end(code, signal, `kernel ${describeExit(code, signal)}`);
  }

  /** Ends the session: what was running is aborted, the kernel marked dead, then `exit`. */
  private end(code: number | null, signal: NodeJS.Signals | null, reason: string, asked = false): void {
    if (!this.running) return;
    this.running = false;
    this.options.onAbort(reason, "ended");
    this.kernel?.close();
    this.emit({ connection: asked ? "disconnected" : "failed", execution: "dead" });
    this.options.transcript.note(reason);
    this.code = code;
    this.options.context.events.emit("exit", {
      code,
      signal: signal ? (os.signals[signal] ?? null) : null,
      reason,
    });
    this.options.context.exited();
  }

  private emit(change: KernelData): void {
    this.options.context.events.emit("kernel", change);
  }
}
