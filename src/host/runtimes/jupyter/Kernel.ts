/**
 * One running kernel: its process, started from the kernelspec's argv, and the five ZeroMQ
 * channels to it (Dealer for shell, control and stdin, Subscriber for iopub, Request for the
 * heartbeat, `heartbeat.ts`). Requests are matched to replies by `parent_header.msg_id`;
 * everything on iopub goes to `onIopub`, the kernel's requests for a line of input to
 * `onInputRequest` (`stdin.ts`). Messages that fail to decode or verify are dropped and reported through
 * `onDropped`, never acted on.
 */
import type { ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import type { Dealer, Subscriber } from "zeromq";
import { DispatchError } from "../../../core/errors.js";
import { buffersPassed } from "../../../platform/bufferGarbage.js";
import {
  type Channel,
  type ConnectionInfo,
  channelAddress,
  newConnection,
  removeConnectionFile,
  writeConnectionFile,
} from "./connection.js";
import { Heartbeat, type HeartbeatHandlers } from "./heartbeat.js";
import { describeExit, spawnFailure } from "./kernelFailures.js";
import { type KernelSpec, spawnKernel } from "./kernelspecs.js";
import { StartOutput } from "./StartOutput.js";
import { StdinChannel, type StdinHandlers } from "./stdin.js";
import { decode, encode, type JupyterMessage, newHeader, Signer } from "./wire.js";

/** How long a kernel may take to answer its first kernel_info_request. */
const START_TIMEOUT_MS = 60_000;
/**
 * iopub messages queued for us before ZeroMQ drops new ones (its default is 1000). A PUB socket
 * drops what a slow subscriber has no room for, silently: a kernel that publishes each write as
 * a message (xeus-python printing line by line) outruns the host at once, and the cell's last
 * lines, its result and its idle status were lost. Bounded still, but not small: in libzmq a
 * message is ~1.5 KB (each frame its own allocation), so a full queue is ~150 MB of glibc's heap,
 * which glibc keeps once it is free (xeus-python printing 200,000 lines left the host at
 * ~240 MB; docs/BENCHMARKS.md, "A kernel's flood").
 */
const IOPUB_QUEUE_MESSAGES = 100_000;

/** How long reading iopub may hold the host's event loop before it lets the rest run. */
const IOPUB_SLICE_MS = 20;
/** Starts on fresh ports, at most, when a port chosen for the kernel was taken before it bound it. */
const PORT_ATTEMPTS = 3;

export interface KernelHandlers extends HeartbeatHandlers, StdinHandlers {
  onIopub(message: JupyterMessage): void;
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
  /** Where the kernel's ports and key come from: fresh free ports by default (a test gives taken ones). */
  connection?: (kernelName: string) => Promise<ConnectionInfo>;
}

interface Pending {
  resolve(message: JupyterMessage): void;
  reject(error: Error): void;
}

/** ZeroMQ (a native addon), loaded with the first kernel: a host without workspaces never needs it. */
let zmq: typeof import("zeromq") | undefined;

export class Kernel {
  readonly session = randomUUID();
  private readonly signer: Signer;
  private readonly zmq: typeof import("zeromq");
  private readonly shell: Dealer;
  private readonly control: Dealer;
  private readonly stdinSocket: Dealer;
  private readonly stdin: StdinChannel;
  private readonly iopub: Subscriber;
  private heartbeat: Heartbeat | undefined;
  private readonly output: StartOutput;
  /** Settles once the process has ended and its output pipes are closed (all it printed is in). */
  private readonly stdioClosed: Promise<void>;
  private readonly pending = new Map<string, Pending>();
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
    // The kernel sends `input_request` to the identity the execute request came from on shell.
    this.shell = new loaded.Dealer({ linger: 0, routingId: this.session });
    this.control = new loaded.Dealer({ linger: 0 });
    this.stdinSocket = new loaded.Dealer({ linger: 0, routingId: this.session });
    this.stdin = new StdinChannel(this.stdinSocket, this.signer, this.session);
    this.iopub = new loaded.Subscriber({ linger: 0, receiveHighWaterMark: IOPUB_QUEUE_MESSAGES });
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
    zmq ??= await import("zeromq");
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
        this.failPending(new DispatchError("session_exited", `the kernel ${describeExit(code, signal)}`));
        if (!this.closed) handlers.onExit(code, signal);
        reject(
          new DispatchError(
            "internal",
            `kernel '${this.options.spec.name}' ${describeExit(code, signal)} while starting`,
          ),
        );
      });
    });
    died.catch(() => undefined);
    for (const stream of [this.child.stdout, this.child.stderr])
      stream?.on("data", (chunk: Buffer) => this.output.push(chunk.toString("utf8")));
    await Promise.race([spawned, died]);

    this.shell.connect(channelAddress(this.info, "shell"));
    this.control.connect(channelAddress(this.info, "control"));
    this.stdinSocket.connect(channelAddress(this.info, "stdin"));
    this.iopub.connect(channelAddress(this.info, "iopub"));
    this.iopub.subscribe();
    void this.readReplies(this.shell, "shell");
    void this.readReplies(this.control, "control");
    void this.stdin.read(handlers);
    void this.readIopub();

    const timeout = new Promise<never>((_, reject) =>
      setTimeout(
        () =>
          reject(
            new DispatchError(
              "internal",
              `kernel '${this.options.spec.name}' did not answer within ${START_TIMEOUT_MS / 1000} s`,
            ),
          ),
        START_TIMEOUT_MS,
      ).unref(),
    );
    await Promise.race([this.waitForIopub(), died, timeout]);
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
        this.iopubWaiters.set(id, () => resolve(true));
        setTimeout(() => resolve(false), 500).unref();
      });
      await reply;
      const ok = await seen;
      this.iopubWaiters.delete(id);
      if (ok) return;
    }
  }

  private readonly iopubWaiters = new Map<string, () => void>();

  /** Sends a request; `reply` settles with the answer (rejects if the kernel dies first). */
  request(
    channel: "shell" | "control",
    msgType: string,
    content: Record<string, unknown>,
  ): { id: string; reply: Promise<JupyterMessage> } {
    if (this.exited || this.closed) throw new DispatchError("session_exited", "the kernel is not running");
    const header = newHeader(msgType, this.session);
    const reply = new Promise<JupyterMessage>((resolve, reject) => {
      this.pending.set(header.msg_id, { resolve, reject });
    });
    reply.catch(() => undefined);
    const socket = channel === "shell" ? this.shell : this.control;
    socket.send(encode(this.signer, { header, parent: {}, metadata: {}, content })).catch((err: unknown) => {
      this.settle(header.msg_id)?.reject(err instanceof Error ? err : new Error(String(err)));
    });
    return { id: header.msg_id, reply };
  }

  /** Answers the kernel's `input_request` (sent to `onInputRequest`) with a line. */
  async replyInput(request: JupyterMessage, value: string): Promise<void> {
    if (this.exited || this.closed) throw new DispatchError("session_exited", "the kernel is not running");
    await this.stdin.reply(request, value);
  }

  /** Interrupts as the kernelspec says: SIGINT to its process, or `interrupt_request` on control. */
  async interrupt(): Promise<void> {
    if (this.options.spec.interruptMode === "message") {
      await this.request("control", "interrupt_request", {}).reply;
      return;
    }
    this.child.kill("SIGINT");
  }

  /** Asks the kernel to shut down, then kills it if it lingers; closes every channel. */
  async shutdown(graceMs = 3000): Promise<void> {
    if (!this.exited) {
      const ended = new Promise<void>((resolve) => this.child.once("exit", () => resolve()));
      try {
        this.request("control", "shutdown_request", { restart: false });
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
    for (const socket of [this.shell, this.control, this.stdinSocket, this.iopub]) {
      try {
        socket?.close();
      } catch {
        // Closing twice is fine.
      }
    }
    this.failPending(new DispatchError("session_exited", "the kernel was stopped"));
    removeConnectionFile(this.file);
  }

  private async readReplies(socket: Dealer, channel: Channel): Promise<void> {
    try {
      for await (const frames of socket) {
        const decoded = decode(this.signer, frames);
        if (!decoded.ok) {
          this.options.handlers.onDropped(channel, decoded.reason);
          continue;
        }
        const parentId = decoded.message.parent.msg_id;
        if (parentId) this.settle(parentId)?.resolve(decoded.message);
      }
    } catch {
      // The socket was closed.
    }
  }

  private async readIopub(): Promise<void> {
    let sliceStart = performance.now();
    try {
      for await (const frames of this.iopub) {
        // Messages already queued are read without a turn of the event loop between them: a
        // flood (xeus-python publishes each write) kept the host from everything else for
        // seconds, and the hub dropped it for missed heartbeats. So it gives way now and then.
        if (performance.now() - sliceStart > IOPUB_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        let bytes = 0;
        for (const frame of frames) bytes += frame.length;
        // A flood's frames and what they are parsed into are garbage at once, and most never
        // reach the session's output (a cell keeps 1 MiB): the collector hears of all of it.
        buffersPassed(bytes);
        const decoded = decode(this.signer, frames);
        if (!decoded.ok) {
          this.options.handlers.onDropped("iopub", decoded.reason);
          continue;
        }
        const parentId = decoded.message.parent.msg_id;
        if (parentId && this.iopubWaiters.has(parentId)) {
          this.iopubWaiters.get(parentId)?.();
          continue;
        }
        this.options.handlers.onIopub(decoded.message);
      }
    } catch {
      // The socket was closed.
    }
  }

  private settle(id: string): Pending | undefined {
    const pending = this.pending.get(id);
    this.pending.delete(id);
    return pending;
  }

  private failPending(error: Error): void {
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
  }
}
