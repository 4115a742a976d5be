/**
 * One session as the host daemon holds it: its runtime, and the log its events are born in
 * (seq, coalescing, the bounded buffer kept until the hub acknowledges). The daemon talks to
 * this, never to a runtime's internals, and checks a runtime's capabilities before using them.
 */
import { DispatchError } from "../core/errors.js";
import type { HostSessionState, SpawnSpec } from "../protocol/host.js";
import type { Caller } from "../protocol/people.js";
import type { BufferedEvent } from "./EventBuffer.js";
import { OutputCoalescer } from "./OutputCoalescer.js";
import {
  capabilitiesOf,
  type InputFrom,
  type RuntimeFactory,
  type SessionRuntime,
} from "./runtimes/runtime.js";
import type { SandboxPolicy } from "./runtimes/sandbox.js";
import { type EndedSession, endedRuntime } from "./SavedSessions.js";
import { type DroppedEvent, type ReplayedEvent, SessionEventLog } from "./SessionEventLog.js";

export interface HostedSessionOptions {
  spec: SpawnSpec;
  env: Record<string, string>;
  sandbox?: SandboxPolicy;
  /** The host's run directory (`RuntimeContext.runDir`). */
  runDir: string;
  runtime: RuntimeFactory;
  bufferLimitBytes: number;
  onEvent: (session: HostedSession, event: BufferedEvent) => void;
  /** One of its events was too large for the host link and replaced (`linkFit`). */
  onDropped?: (session: HostedSession, dropped: DroppedEvent) => void;
  onExit: (session: HostedSession) => void;
}

/** A session an earlier host process saved as it stopped (`SavedSessions`), and where its events go. */
export interface RestoredSessionOptions {
  ended: EndedSession;
  bufferLimitBytes: number;
  runDir: string;
  onEvent: (session: HostedSession, event: BufferedEvent) => void;
  onDropped?: (session: HostedSession, dropped: DroppedEvent) => void;
}

export class HostedSession {
  readonly id: string;
  readonly kind: string;
  private readonly log: SessionEventLog;
  private readonly coalescer: OutputCoalescer;
  private readonly runtime: SessionRuntime;
  /** Paused by backpressure while the runtime's factory still ran (see `setPaused`). */
  private pausedBeforeStart = false;
  private readonly spec: SpawnSpec;
  /**
   * The name the hub gave at spawn, then at each `rename` that reached this host. A rename
   * made while the host was away, or before a spawn still loading its runtime had started,
   * leaves the older name here until the hub's answer to the next hello corrects it: it is
   * the best this host knows, and a hub only needs it when it has no record of its own.
   */
  private name: string | undefined;
  /** Its `exit` event is born: it has ended, whatever its runtime still says. */
  private exitBorn = false;
  /** Set while its host stops it on the way out: the exit says so (`stopWithHost`). */
  private stopReason: string | undefined;
  /** The host wrote the exit itself (the runtime did not end in time): the runtime is not heard any more. */
  private closedByHost = false;
  /** What a restored session's runtime could do when it ran (the hub keeps it in its record). */
  private readonly savedCapabilities: string[] | undefined;

  /** A session an earlier host process saved as it stopped: ended, its unacknowledged events held. */
  static restored(options: RestoredSessionOptions): HostedSession {
    const { ended } = options;
    const session = new HostedSession(
      {
        spec: { ...ended.spec, env: {} },
        env: {},
        runDir: options.runDir,
        runtime: endedRuntime(ended),
        bufferLimitBytes: options.bufferLimitBytes,
        onEvent: options.onEvent,
        ...(options.onDropped ? { onDropped: options.onDropped } : {}),
        onExit: () => undefined,
      },
      ended,
    );
    session.exitBorn = true;
    return session;
  }

  /** `restored`: only through `HostedSession.restored`. */
  constructor(options: HostedSessionOptions, restored?: EndedSession) {
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
      onDropped: (dropped) => options.onDropped?.(this, dropped),
    });
    this.coalescer = new OutputCoalescer((parts) => this.log.output(parts));
    if (restored) this.log.restore(restored.held);
    this.savedCapabilities = restored?.capabilities;
    this.runtime = options.runtime({
      spec,
      env: options.env,
      events: {
        output: (data) => {
          if (!this.closedByHost) this.coalescer.push(data);
        },
        emit: (type, data) => {
          if (this.closedByHost) return this.log.lastSeq;
          // Output before an event stays before it in the log (all of it before the exit;
          // before another event, an unfinished character or sequence waits to be finished).
          if (type !== "exit") {
            this.coalescer.flush();
            return this.log.emit(type, data);
          }
          this.coalescer.flushAll();
          this.exitBorn = true;
          if (this.stopReason === undefined) return this.log.emit(type, data);
          // Stopped with its host: every kind's end reads the same (`exited (host stopped)`),
          // not a chat's or a kernel's clean `exited (0)` as if it had ended by itself.
          return this.log.emit(type, { ...data, code: null, reason: this.stopReason });
        },
      },
      exited: () => options.onExit(this),
      runDir: options.runDir,
      name: () => this.name,
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
    });
    if (this.pausedBeforeStart) this.runtime.setPaused?.(true);
  }

  /** Output gathered so far becomes an event now (before a reply about the session). */
  flushOutput(): void {
    this.coalescer.flush();
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
    return this.savedCapabilities ?? capabilitiesOf(this.runtime);
  }

  /** Its `exit` event is born (the runtime's, or the host's own: `closeWithHost`). */
  get hasEnded(): boolean {
    return this.exitBorn;
  }

  /** Events the hub has not acknowledged yet (or output lost before it could). */
  get hasUnacknowledged(): boolean {
    const { gap, events } = this.log.held();
    return gap !== undefined || events.length > 0;
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
      ...(this.spec.kindOptions ? { kindOptions: this.spec.kindOptions } : {}),
    };
  }

  rename(name: string): void {
    this.name = name;
  }

  input(data: string, from?: InputFrom): void {
    this.coalescer.expectEcho();
    this.runtime.input(data, from);
  }

  /** Runtimes without a size ignore resizes (the hub does not send them any). */
  resize(cols: number, rows: number): void {
    this.runtime.resize?.(cols, rows);
  }

  /** Ends the session because its host is stopping: its runtime stops it, and its exit says `reason`. */
  stopWithHost(reason: string): void {
    this.stopReason = reason;
    if (!this.exitBorn && this.runtime.isRunning) this.runtime.stop();
  }

  /**
   * The host is going: writes the exit itself if the runtime has not (it did not end in time),
   * saying `reason`, then releases the runtime, whose own exit would come too late to be sent.
   */
  closeWithHost(reason: string): void {
    if (!this.exitBorn) {
      // It ignored the stop (a PTY's SIGHUP trapped): it must not outlive its host unseen.
      if (this.runtime.isRunning) this.killQuietly();
      this.coalescer.flushAll();
      this.log.emit("exit", { code: null, signal: null, reason });
      this.exitBorn = true;
      this.closedByHost = true;
    }
    this.dispose();
  }

  private killQuietly(): void {
    try {
      this.runtime.signal?.("SIGKILL");
    } catch {
      // Gone in the meantime: nothing left to kill.
    }
  }

  /** What a later host process needs to report this session and replay what the hub lacks. */
  ended(): EndedSession {
    const size = this.runtime.size ?? this.spec;
    const { env: _env, preface: _preface, options: _options, ...spec } = this.spec;
    return {
      spec: {
        ...spec,
        cols: size.cols,
        rows: size.rows,
        ...(this.name !== undefined ? { name: this.name } : {}),
      },
      exitCode: this.runtime.exitCode,
      capabilities: this.capabilities,
      held: this.log.held(),
    };
  }

  /** A signal for runtimes that take them; any other runtime is stopped. */
  signal(signal: string): void {
    if (this.runtime.signal) this.runtime.signal(signal);
    else this.runtime.stop(signal);
  }

  /** A kind's command, asked for by the person `by` when the hub said. */
  command(name: string, args: unknown, by?: Caller): unknown {
    if (!this.runtime.command) {
      throw new DispatchError("bad_request", `'${this.kind}' sessions take no commands on their host`);
    }
    if (!this.runtime.isRunning) {
      throw new DispatchError("session_exited", `the session has ended; '${name}' was not run`);
    }
    return this.runtime.command(name, args, by);
  }

  setPaused(paused: boolean): void {
    // A runtime may emit while its factory still runs (a chat's restored conversation, megabytes
    // of it): a pause asked for then waits for the runtime, which is not assigned yet.
    if (this.runtime === undefined) {
      this.pausedBeforeStart = paused;
      return;
    }
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
