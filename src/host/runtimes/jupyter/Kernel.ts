/**
 * One running kernel: its process, started from the kernelspec's argv, and the five ZeroMQ
 * channels to it: its lifecycle (start, interrupt, shutdown) here; the heartbeat in
 * `heartbeat.ts`, the other four in `KernelChannels.ts`: requests and their replies on shell and
 * control (`RequestChannels.ts`), what iopub publishes (`IopubReader.ts`, to `onIopub`), the
 * kernel's requests for a line of input (`stdin.ts`, to `onInputRequest`). Messages that fail to
 * decode or verify are dropped and reported through `onDropped`, never acted on.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { DispatchError } from "../../../core/errors.js";
import { importModule } from "../../../core/importModule.js";
import {
  type ConnectionInfo,
  channelAddress,
  newConnection,
  removeConnectionFile,
  writeConnectionFile,
} from "./connection.js";
import { Heartbeat, type HeartbeatHandlers } from "./heartbeat.js";
import { IOPUB_QUEUE_MESSAGES, type IopubHandlers } from "./IopubReader.js";
import { KernelChannels } from "./KernelChannels.js";
import { describeExit, exitedWhileStarting, spawnFailure, unansweredStart } from "./kernelFailures.js";
import { type KernelSpec, spawnKernel } from "./kernelspecs.js";
import { notRunning } from "./RequestChannels.js";
import { StartOutput } from "./StartOutput.js";
import type { StdinHandlers } from "./stdin.js";
import { type JupyterMessage, Signer } from "./wire.js";

/** How long a kernel may take to answer its first kernel_info_request. */
const START_TIMEOUT_MS = 60_000;
/** Starts on fresh ports, at most, when a port chosen for the kernel was taken before it bound it. */
const PORT_ATTEMPTS = 3;

export interface KernelHandlers extends HeartbeatHandlers, StdinHandlers, IopubHandlers {
  /** The process ended (not after `close`). */
  onExit(code: number | null, signal: NodeJS.Signals | null): void;
  /** The process's own stdout/stderr (kernel logs, crashes). */
  onProcessOutput(text: string): void;
  /** A line about the start itself (it was tried again on other ports). */
  onNote?(text: string): void;
}

export interface KernelStartOptions {
  spec: KernelSpec;
  id: string;
  cwd: string;
  env: Record<string, string>;
  /** The host's run directory; the connection file goes in its `kernels/`. */
  runDir: string;
  handlers: KernelHandlers;
  /** iopub messages the host queues before ZeroMQ drops (`IopubReader.ts`; a test gives a few). */
  iopubQueueMessages?: number;
  /** Where the kernel's ports and key come from: fresh free ports by default (a test gives taken ones). */
  connection?: (kernelName: string) => Promise<ConnectionInfo>;
  /** How long the kernel may take to answer at first: `START_TIMEOUT_MS` (a test gives less). */
  startTimeoutMs?: number;
}

/** ZeroMQ (a native addon), loaded with the first kernel: a host without workspaces never needs it. */
let zmq: typeof import("zeromq") | undefined;

export class Kernel {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly zmq: typeof import("zeromq");
  private readonly channels: KernelChannels;
  private heartbeat: Heartbeat | undefined;
  private readonly output: StartOutput;
  /** Settles once the process has ended and its output pipes are closed (all it printed is in). */
  private readonly stdioClosed: Promise<void>;
  private closed = false;
  private exited = false;

  private constructor(
    private readonly options: KernelStartOptions,
    private readonly info: ConnectionInfo,
    private readonly file: string,
    private readonly child: ChildProcess,
    loaded: typeof import("zeromq"),
  ) {
    this.signer = new Signer(info.key);
    this.zmq = loaded;
    this.output = new StartOutput((text) => options.handlers.onProcessOutput(text));
    this.stdioClosed = new Promise((resolve) => child.once("close", () => resolve()));
    this.channels = new KernelChannels(loaded, this.signer, this.session, {
      iopubQueueMessages: options.iopubQueueMessages ?? IOPUB_QUEUE_MESSAGES,
      onDropped: (channel, reason) => options.handlers.onDropped(channel, reason),
    });
  }

  /**
   * Starts the kernel and waits until it answers; a start whose ports were taken meanwhile
   * (`StartOutput`) is tried again on fresh ones.
   */
  static async start(options: KernelStartOptions): Promise<Kernel> {
    for (let attempt = 1; ; attempt++) {
      const kernel = await Kernel.launch(options);
      try {
        await kernel.connect();
        kernel.output.release();
        return kernel;
      } catch (err) {
        // Not started: nothing of it may stay behind (process, sockets, connection file).
        kernel.close();
        if (kernel.exited) await StartOutput.drained(kernel.stdioClosed);
        if (!kernel.output.portTaken || attempt === PORT_ATTEMPTS) {
          kernel.output.release();
          throw err;
        }
        kernel.output.discard();
        options.handlers.onNote?.(
          `a port chosen for the kernel was taken before it could bind it; starting it again on others`,
        );
      }
    }
  }

  private static async launch(options: KernelStartOptions): Promise<Kernel> {
    // Through `importModule`: a remote host runs from the CLI's cached bundle (`cachedBundle.ts`).
    zmq ??= await importModule<typeof import("zeromq")>("zeromq");
    const loaded = zmq;
    const info = await (options.connection ?? newConnection)(options.spec.name);
    const file = writeConnectionFile(info, { id: options.id, runDir: options.runDir });
    const child = spawnKernel(options.spec, file, { cwd: options.cwd, env: options.env });
    return new Kernel(options, info, file, child, loaded);
  }

  get pid(): number | null {
    return this.child.pid ?? null;
  }

  get isAlive(): boolean {
    return !this.exited;
  }

  private async connect(): Promise<void> {
    const { handlers } = this.options;
    const spawned = new Promise<void>((resolve, reject) => {
      this.child.once("spawn", resolve);
      this.child.once("error", (err) => reject(spawnFailure(this.options.spec, this.options.cwd, err)));
    });
    const died = new Promise<never>((_, reject) => {
      this.child.once("exit", (code, signal) => {
        this.exited = true;
        this.channels.requests.failAll(
          new DispatchError("session_exited", `the kernel ${describeExit(code, signal)}`),
        );
        if (!this.closed) handlers.onExit(code, signal);
        reject(exitedWhileStarting(this.options.spec, describeExit(code, signal)));
      });
    });
    died.catch(() => undefined);
    for (const stream of [this.child.stdout, this.child.stderr]) {
      // Decoded as a stream, not read by read: a character the kernel wrote in two pieces (a C
      // library's or a subprocess's output on its own fd) was two U+FFFD in `dispatch logs`.
      stream?.setEncoding("utf8");
      stream?.on("data", (text: string) => this.output.push(text));
    }
    await Promise.race([spawned, died]);

    this.channels.connect(this.info, handlers);

    const waitMs = this.options.startTimeoutMs ?? START_TIMEOUT_MS;
    const timeout = new Promise<never>((_, reject) =>
      setTimeout(() => reject(unansweredStart(this.options.spec, waitMs)), waitMs).unref(),
    );
    // Started once iopub delivers and the kernel can reach this host on stdin (`stdin.ts`).
    await Promise.race([Promise.all([this.waitForIopub(), this.channels.stdin.routed]), died, timeout]);
    this.heartbeat = new Heartbeat(this.zmq, channelAddress(this.info, "hb"), {
      onHealth: (health) => {
        if (!this.closed) handlers.onHealth(health);
      },
      onUnresponsive: (missed) => {
        if (!this.closed) handlers.onUnresponsive(missed);
      },
    });
  }

  /**
   * Waits until iopub delivers (a subscriber joins late and misses what was published before):
   * kernel_info_request until one's busy/idle status arrives, as jupyter_client does.
   */
  private async waitForIopub(): Promise<void> {
    for (;;) {
      const { id, reply } = this.request("shell", "kernel_info_request", {});
      const seen = new Promise<boolean>((resolve) => {
        this.channels.iopub.wait(id, () => resolve(true));
        setTimeout(() => resolve(false), 500).unref();
      });
      await reply;
      const ok = await seen;
      this.channels.iopub.unwait(id);
      if (ok) return;
    }
  }

  /** Sends a request; `reply` settles with the answer (rejects if the kernel dies first). */
  request(
    channel: "shell" | "control",
    msgType: string,
    content: Record<string, unknown>,
  ): { id: string; reply: Promise<JupyterMessage> } {
    if (this.exited || this.closed) throw notRunning();
    return this.channels.requests.request(channel, msgType, content);
  }

  /** Answers the kernel's `input_request` (sent to `onInputRequest`) with a line. */
  async replyInput(request: JupyterMessage, value: string): Promise<void> {
    if (this.exited || this.closed) throw notRunning();
    await this.channels.stdin.reply(request, value);
  }

  /** Interrupts as the kernelspec says: SIGINT to its process, or `interrupt_request` on control. */
  async interrupt(): Promise<void> {
    if (this.options.spec.interruptMode === "message") {
      await this.request("control", "interrupt_request", {}).reply;
      return;
    }
    this.child.kill("SIGINT");
  }

  /**
   * Asks the kernel to shut down, then kills it if it lingers (`graceMs`); closes every channel.
   * `busy`: it runs a cell (or waits in one's `input()`). Such a kernel answers at once from its
   * control thread but exits only when the cell ends: ipykernel and xeus-python stop their shell
   * loop from the main thread, which the cell holds. So once it has answered it is killed, rather
   * than waited on for the whole grace (every restart or stop of a busy kernel took 3 s).
   */
  async shutdown({ graceMs = 3000, busy = false }: { graceMs?: number; busy?: boolean } = {}): Promise<void> {
    if (!this.exited) {
      const ended = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      try {
        const { reply } = this.request("control", "shutdown_request", { restart: false });
        if (busy)
          reply.then(
            () => this.child.kill("SIGKILL"),
            () => undefined,
          );
        else reply.catch(() => undefined);
      } catch {
        // Already gone.
      }
      // Closed only once the request is on its way (a closed kernel takes no requests): its
      // exit is then ours, not a crash to report. Set before, the request was never sent and
      // every stop waited out the grace before a SIGKILL.
      this.closed = true;
      const timer = setTimeout(() => this.child.kill("SIGKILL"), graceMs);
      await ended;
      clearTimeout(timer);
    }
    this.close();
  }

  /** Closes the channels and kills the process at once (host shutdown, dispose). */
  close(): void {
    this.closed = true;
    this.heartbeat?.stop();
    if (!this.exited) this.child.kill("SIGKILL");
    this.channels.close();
    this.channels.requests.failAll(new DispatchError("session_exited", "the kernel was stopped"));
    removeConnectionFile(this.file);
  }
}
