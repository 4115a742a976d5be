/**
 * One session as the host daemon holds it: its runtime, and the log its events are born in
 * (seq, coalescing, the bounded buffer kept until the hub acknowledges). The daemon talks to
 * this, never to a runtime's internals, and checks a runtime's capabilities before using them.
 */
import { DispatchError } from "../core/errors.js";
import type { HostSessionState, SpawnSpec } from "../protocol/host.js";
import type { BufferedEvent } from "./EventBuffer.js";
import { OutputCoalescer } from "./OutputCoalescer.js";
import { capabilitiesOf, type RuntimeFactory, type SessionRuntime } from "./runtimes/runtime.js";
import type { SandboxPolicy } from "./runtimes/sandbox.js";
import { type ReplayedEvent, SessionEventLog } from "./SessionEventLog.js";

export interface HostedSessionOptions {
  spec: SpawnSpec;
  env: Record<string, string>;
  sandbox?: SandboxPolicy;
  /** The host's run directory (`RuntimeContext.runDir`). */
  runDir: string;
  runtime: RuntimeFactory;
  bufferLimitBytes: number;
  onEvent: (session: HostedSession, event: BufferedEvent) => void;
  onExit: (session: HostedSession) => void;
}

export class HostedSession {
  readonly id: string;
  readonly kind: string;
  private readonly log: SessionEventLog;
  private readonly coalescer: OutputCoalescer;
  private readonly runtime: SessionRuntime;
  private readonly spec: SpawnSpec;
  /**
   * The name the hub gave at spawn, then at each `rename` that reached this host. A rename
   * made while the host was away, or before a spawn still loading its runtime had started,
   * leaves the older name here until the hub's answer to the next hello corrects it: it is
   * the best this host knows, and a hub only needs it when it has no record of its own.
   */
  private name: string | undefined;

  constructor(options: HostedSessionOptions) {
    const { spec } = options;
    this.id = spec.id;
    this.kind = spec.kind;
    this.spec = spec;
    this.name = spec.name;
    this.log = new SessionEventLog({
      session: spec.id,
      afterSeq: spec.afterSeq,
      bufferLimitBytes: options.bufferLimitBytes,
      onEvent: (event) => options.onEvent(this, event),
    });
    this.coalescer = new OutputCoalescer((parts) => this.log.output(parts));
    this.runtime = options.runtime({
      spec,
      env: options.env,
      events: {
        output: (data) => this.coalescer.push(data),
        emit: (type, data) => {
          // Output before an event stays before it in the log.
          this.coalescer.flush();
          return this.log.emit(type, data);
        },
      },
      exited: () => options.onExit(this),
      runDir: options.runDir,
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    });
  }

  /** No hub to send to (true) or one again (false): see `OutputCoalescer.hold`. */
  holdOutput(on: boolean): void {
    this.coalescer.hold(on);
  }

  get isRunning(): boolean {
    return this.runtime.isRunning;
  }

  get pid(): number | null {
    return this.runtime.pid;
  }

  /** Unacknowledged bytes held for the hub. */
  get bufferedBytes(): number {
    return this.log.bufferedBytes;
  }

  get capabilities(): string[] {
    return capabilitiesOf(this.runtime);
  }

  state(): HostSessionState {
    const size = this.runtime.size ?? this.spec;
    return {
      id: this.id,
      kind: this.kind,
      pid: this.runtime.pid,
      running: this.runtime.isRunning,
      exitCode: this.runtime.exitCode,
      lastSeq: this.log.lastSeq,
      cols: size.cols,
      rows: size.rows,
      foreground: this.runtime.foreground?.() ?? null,
      capabilities: this.capabilities,
      command: this.spec.command,
      cwd: this.spec.cwd,
      ...(this.name !== undefined ? { name: this.name } : {}),
      ...(this.spec.createdAt !== undefined ? { createdAt: this.spec.createdAt } : {}),
      ...(this.spec.project ? { project: this.spec.project } : {}),
    };
  }

  rename(name: string): void {
    this.name = name;
  }

  input(data: string): void {
    this.coalescer.expectEcho();
    this.runtime.input(data);
  }

  /** Runtimes without a size ignore resizes (the hub does not send them any). */
  resize(cols: number, rows: number): void {
    this.runtime.resize?.(cols, rows);
  }

  /** A signal for runtimes that take them; any other runtime is stopped. */
  signal(signal: string): void {
    if (this.runtime.signal) this.runtime.signal(signal);
    else this.runtime.stop(signal);
  }

  command(name: string, args: unknown): unknown {
    if (!this.runtime.command) {
      throw new DispatchError("bad_request", `'${this.kind}' sessions take no commands on their host`);
    }
    if (!this.runtime.isRunning) {
      throw new DispatchError("session_exited", `the session has ended; '${name}' was not run`);
    }
    return this.runtime.command(name, args);
  }

  setPaused(paused: boolean): void {
    this.runtime.setPaused?.(paused);
  }

  ack(seq: number): void {
    this.log.ack(seq);
  }

  replayAfter(seq: number): ReplayedEvent[] {
    return this.log.replayAfter(seq);
  }

  dispose(): void {
    this.runtime.dispose();
    this.coalescer.dispose();
  }
}
