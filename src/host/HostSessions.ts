/**
 * The sessions this host holds, running or ended and not yet forgotten by the hub: spawning
 * them, finding them, and telling whoever waits for it that none runs any more.
 */
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import type { SpawnSpec } from "../protocol/host.js";
import type { BufferedEvent } from "./EventBuffer.js";
import { HostedSession } from "./HostedSession.js";
import { runtimeFor } from "./runtimes/registry.js";
import type { RuntimeFactory } from "./runtimes/runtime.js";
import type { SandboxPolicy } from "./runtimes/sandbox.js";
import type { EndedSession } from "./SavedSessions.js";
import type { DroppedEvent } from "./SessionEventLog.js";

/** Default bound on one session's unacknowledged output while the hub is away. */
export const DEFAULT_BUFFER_LIMIT_BYTES = 8 * 1024 * 1024;
/**
 * How long a stopping host waits for its sessions to end (a kernel's shutdown takes up to 3 s,
 * a PTY's last output 0.5 s) before it writes their exits itself: well inside the 10 s that
 * `dispatch stop --all` gives the host before killing it.
 */
const STOP_GRACE_MS = 6_000;

/** What the hub learns of a session it asked to spawn. */
export interface Spawned {
  pid: number | null;
  capabilities: string[];
}

export interface HostSessionsOptions {
  /** The environment sessions inherit (already scrubbed of dispatch secrets). */
  baseEnv: Record<string, string>;
  /** What sandboxed sessions must not see (the data directory). */
  sandbox?: SandboxPolicy | undefined;
  bufferLimitBytes?: number | undefined;
  /** The host's own directory for its sessions' files (kernel connection files). */
  runDir: string;
  logger: Logger;
  /** Every event a session emits, as it is born. */
  onEvent: (session: HostedSession, event: BufferedEvent) => void;
}

export class HostSessions {
  private readonly sessions = new Map<string, HostedSession>();
  /** Called once no session runs here any more (`whenNoneRunning`). */
  private noneRunning: (() => void)[] = [];
  /** Called whenever a session ends (`stopAll` waits on it). */
  private readonly endings = new Set<() => void>();

  constructor(private readonly options: HostSessionsOptions) {}

  get size(): number {
    return this.sessions.size;
  }

  values(): IterableIterator<HostedSession> {
    return this.sessions.values();
  }

  get(id: string): HostedSession | undefined {
    return this.sessions.get(id);
  }

  /** The session `id`, for a request that needs it to exist. */
  require(id: string): HostedSession {
    const session = this.sessions.get(id);
    if (!session) throw new DispatchError("not_found", `this host has no session ${id}`);
    return session;
  }

  /** Each session's output held for the hub and not yet acknowledged, in bytes. */
  bufferedBytes(): Record<string, number> {
    return Object.fromEntries([...this.sessions].map(([id, s]) => [id, s.bufferedBytes]));
  }

  /** How many sessions run here now (ended ones the hub has not forgotten yet are not counted). */
  get running(): number {
    let running = 0;
    for (const session of this.sessions.values()) if (session.isRunning) running++;
    return running;
  }

  /**
   * Calls `listener` once no session runs here: at once when none does, else when the last one
   * ends. Not after `disposeAll`, which ends them on purpose.
   */
  whenNoneRunning(listener: () => void): void {
    if (this.running === 0) return listener();
    this.noneRunning.push(listener);
  }

  spawn(spec: SpawnSpec): Spawned | Promise<Spawned> {
    const runtime = runtimeFor(spec.kind);
    // A runtime loaded on first use starts once its module is in; the others right away.
    return runtime instanceof Promise
      ? runtime.then((loaded) => this.start(spec, loaded))
      : this.start(spec, runtime);
  }

  /** The hub no longer needs the ended session `id`: its buffer and files go. A running one stays. */
  forget(id: string): void {
    const session = this.sessions.get(id);
    if (!session || session.isRunning) return;
    session.dispose();
    this.sessions.delete(id);
  }

  /**
   * The host is stopping: every session is stopped, its exit saying `reason`, and given up to
   * `STOP_GRACE_MS` to end as it would (its last output, its kernel's shutdown); the host writes
   * the exit of any still running, then releases them all. Nobody waiting for none to run is
   * told: they end on purpose.
   */
  async stopAll(reason: string): Promise<void> {
    this.noneRunning = [];
    const all = [...this.sessions.values()];
    for (const session of all) {
      try {
        session.stopWithHost(reason);
      } catch (err) {
        // Its exit is written below all the same; the log says why it did not stop by itself.
        this.options.logger.warn({ err, session: session.id }, "could not stop a session");
      }
    }
    await this.untilEnded(all);
    const late = `${reason}; killed after ${STOP_GRACE_MS / 1000} s`;
    // Those the hub has stored and forgotten meanwhile are released already.
    for (const session of all) if (this.sessions.get(session.id) === session) session.closeWithHost(late);
  }

  /** Sessions whose events the hub has not all acknowledged (saved when the host stops). */
  unacknowledged(): HostedSession[] {
    return [...this.sessions.values()].filter((session) => session.hasUnacknowledged);
  }

  /** Takes back the ended sessions an earlier host process saved, to report and replay them. */
  restore(ended: readonly EndedSession[]): void {
    const { options } = this;
    for (const one of ended) {
      const session = HostedSession.restored({
        ended: one,
        bufferLimitBytes: options.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT_BYTES,
        runDir: options.runDir,
        onEvent: options.onEvent,
        onDropped: (session, dropped) => this.dropped(session, dropped),
      });
      this.sessions.set(session.id, session);
    }
    if (ended.length > 0)
      options.logger.info(
        { sessions: ended.map((one) => one.spec.id) },
        "took back sessions a stopped host saved",
      );
  }

  private start(spec: SpawnSpec, runtime: RuntimeFactory): Spawned {
    const existing = this.sessions.get(spec.id);
    if (existing?.isRunning) {
      throw new DispatchError("conflict", `session ${spec.id} is already running on this host`);
    }
    // An ended session the hub has not told us to forget yet is being revived: replace it.
    existing?.dispose();
    const { options } = this;
    const session = new HostedSession({
      spec,
      env: { ...options.baseEnv, ...spec.env },
      ...(options.sandbox ? { sandbox: options.sandbox } : {}),
      runDir: options.runDir,
      runtime,
      bufferLimitBytes: options.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT_BYTES,
      onEvent: options.onEvent,
      onDropped: (session, dropped) => this.dropped(session, dropped),
      onExit: (ended) => this.exited(ended),
    });
    this.sessions.set(spec.id, session);
    options.logger.info(
      { session: spec.id, kind: spec.kind, command: spec.command, cwd: spec.cwd },
      "session spawned",
    );
    return { pid: session.pid, capabilities: session.capabilities };
  }

  /** Resolves once every one of `sessions` has ended, or after `STOP_GRACE_MS`. */
  private untilEnded(sessions: readonly HostedSession[]): Promise<void> {
    return new Promise((resolve) => {
      const check = () => {
        if (!sessions.every((session) => session.hasEnded)) return;
        clearTimeout(timer);
        this.endings.delete(check);
        resolve();
      };
      const timer = setTimeout(() => {
        this.endings.delete(check);
        resolve();
      }, STOP_GRACE_MS);
      this.endings.add(check);
      check();
    });
  }

  /** Said in the host's log too: the session's own log only holds the stand-in. */
  private dropped(session: HostedSession, dropped: DroppedEvent): void {
    this.options.logger.warn(
      { session: session.id, kind: session.kind, seq: dropped.seq, type: dropped.type, bytes: dropped.bytes },
      dropped.problem,
    );
  }

  private exited(session: HostedSession): void {
    this.options.logger.info({ session: session.id }, "session exited");
    for (const check of [...this.endings]) check();
    if (this.noneRunning.length === 0 || this.running > 0) return;
    for (const listener of this.noneRunning.splice(0)) listener();
  }
}
