/**
 * The host daemon's state: its sessions and the one hub currently connected. Transport-free:
 * the local Unix-socket server and the remote dialer both hand it a `HubPeer` and the parsed
 * messages, so the same daemon serves the local and a remote hub alike.
 */
import { arch, hostname, platform } from "node:os";
import type { Logger } from "pino";
import { mib } from "../core/byteSize.js";
import { DispatchError, toDispatchError } from "../core/errors.js";
import { HOST_PROTOCOL_VERSION, VERSION } from "../core/version.js";
import {
  type HostInfo,
  type HostMessage,
  type HubToHostMessage,
  MAX_HOST_MESSAGE_BYTES,
  type SpawnSpec,
} from "../protocol/host.js";
import { BulkThrottle } from "./BulkThrottle.js";
import type { BufferedEvent } from "./EventBuffer.js";
import { HostedSession } from "./HostedSession.js";
import { HubOutbox } from "./HubOutbox.js";
import { runKindCommand, runtimeFor, runtimeKinds, sweepOrphans } from "./runtimes/registry.js";
import type { RuntimeFactory } from "./runtimes/runtime.js";
import type { SandboxPolicy } from "./runtimes/sandbox.js";

interface Spawned {
  pid: number | null;
  capabilities: string[];
}

/** Default bound on one session's unacknowledged output while the hub is away. */
export const DEFAULT_BUFFER_LIMIT_BYTES = 8 * 1024 * 1024;
/**
 * While a hub is connected and this much output is unacknowledged, the PTY is paused
 * (the program blocks on write, as with a real terminal's flow control); resumed at the
 * low watermark. Well below the buffer bound, so a connected hub never causes a gap.
 */
const PAUSE_HIGH_WATER_BYTES = 4 * 1024 * 1024;
const PAUSE_LOW_WATER_BYTES = 1024 * 1024;

/** The connected hub, as the daemon sees it. `onWritten` runs once the data left for the OS. */
export interface HubPeer {
  send(wire: Uint8Array | string, onWritten: () => void): void;
  close(code: number, reason: string): void;
}

export interface HostDaemonOptions {
  id: string;
  name: string;
  labels?: Record<string, string>;
  /** The environment sessions inherit (already scrubbed of dispatch secrets). */
  baseEnv: Record<string, string>;
  /** What sandboxed sessions must not see (the data directory). */
  sandbox?: SandboxPolicy;
  bufferLimitBytes?: number;
  /**
   * This host's own directory for its sessions' files (kernel connection files). Swept for
   * orphans once at start: nothing there can belong to a session of this new process.
   */
  runDir: string;
  logger: Logger;
  /** Called after `shutdown`, once every session is stopped. */
  onShutdown: () => void;
}

export class HostDaemon {
  private readonly sessions = new Map<string, HostedSession>();
  private readonly throttle = new BulkThrottle();
  /** Sessions whose PTY waits for the bulk rate while someone types, with their resume timers. */
  private readonly throttled = new Map<string, NodeJS.Timeout>();
  private peer: HubPeer | undefined;
  /** Everything sent to the peer goes through this (see `HubOutbox`). */
  private outbox: HubOutbox | undefined;
  /** Events go to the peer only after it has said which seqs it holds (`sync`). */
  private synced = false;
  /** Called once no session runs here any more (`whenNoneRunning`). */
  private noneRunning: (() => void)[] = [];

  constructor(private readonly options: HostDaemonOptions) {}

  /** Stops and removes what runtimes of an earlier, killed daemon left behind. */
  async sweepAtStart(): Promise<void> {
    const orphans = await sweepOrphans({ runDir: this.options.runDir, clean: true });
    if (orphans.length > 0)
      this.options.logger.warn(
        { orphans: orphans.map((orphan) => orphan.description) },
        "removed what an earlier host left behind",
      );
  }

  info(): HostInfo {
    return {
      id: this.options.id,
      name: this.options.name,
      hostname: hostname(),
      os: platform(),
      arch: arch(),
      version: VERSION,
      pid: process.pid,
      capabilities: runtimeKinds(),
      labels: this.options.labels ?? {},
    };
  }

  /** A hub connected: it replaces any previous one and gets the hello. */
  connect(peer: HubPeer): void {
    if (this.peer && this.peer !== peer) this.peer.close(4000, "replaced by a newer hub connection");
    this.outbox?.close();
    this.peer = peer;
    this.outbox = new HubOutbox(peer);
    this.synced = false;
    // What was gathered while no hub was connected becomes events now, ahead of the hello.
    for (const session of this.sessions.values()) session.holdOutput(false);
    this.sendMessage({
      type: "hello",
      protocol: HOST_PROTOCOL_VERSION,
      host: this.info(),
      sessions: [...this.sessions.values()].map((s) => s.state()),
    });
    this.options.logger.info({ sessions: this.sessions.size }, "hub connected");
  }

  disconnect(peer: HubPeer): void {
    if (this.peer !== peer) return;
    this.peer = undefined;
    this.outbox?.close();
    this.outbox = undefined;
    this.synced = false;
    // Nobody to apply backpressure for: let every session run, the buffer bounds memory.
    for (const timer of this.throttled.values()) clearTimeout(timer);
    this.throttled.clear();
    for (const session of this.sessions.values()) {
      session.setPaused(false);
      session.holdOutput(true);
    }
    this.options.logger.info("hub disconnected; sessions keep running and buffering");
  }

  handle(peer: HubPeer, message: HubToHostMessage): void {
    if (peer !== this.peer) return;
    switch (message.type) {
      case "sync":
        return this.sync(message.sessions);
      case "ack": {
        const session = this.sessions.get(message.session);
        session?.ack(message.seq);
        this.outbox?.ack(message.session, message.seq);
        if (session && session.bufferedBytes <= PAUSE_LOW_WATER_BYTES && !this.throttled.has(session.id))
          session.setPaused(false);
        return;
      }
      case "spawn":
        return this.reply(message.ref, () => this.spawn(message.spec));
      case "input":
        // Input for a session that ended is dropped: the hub checks status and tells the client.
        if (this.sessions.get(message.session)?.isRunning) {
          this.outbox?.input(message.session);
          this.sessions.get(message.session)?.input(message.data);
        }
        return;
      case "resize":
        this.sessions.get(message.session)?.resize(message.cols, message.rows);
        return;
      case "signal":
        return this.reply(message.ref, () => this.requireSession(message.session).signal(message.signal));
      case "command":
        return this.reply(
          message.ref,
          () => this.requireSession(message.session).command(message.name, message.args),
          `'${message.name}'`,
        );
      case "kind-command":
        return this.reply(
          message.ref,
          () => runKindCommand(message.kind, message.name, message.args),
          `${message.kind}'s '${message.name}'`,
        );
      case "rename":
        this.sessions.get(message.session)?.rename(message.name);
        return;
      case "forget":
        this.forget(message.session);
        return;
      case "ping":
        this.sendMessage({ type: "pong", t: message.t });
        return;
      case "stats":
        this.sendMessage({
          type: "stats",
          ref: message.ref,
          rss: process.memoryUsage.rss(),
          buffered: Object.fromEntries([...this.sessions].map(([id, s]) => [id, s.bufferedBytes])),
        });
        return;
      case "orphans": {
        const { clean } = message;
        return this.reply(message.ref, async () => {
          const orphans = await sweepOrphans({ runDir: this.options.runDir, clean });
          if (clean && orphans.length > 0)
            this.options.logger.info({ orphans: orphans.map((o) => o.description) }, "orphans removed");
          return { orphans, cleaned: clean };
        });
      }
      case "shutdown":
        this.reply(message.ref, () => undefined);
        this.shutdown();
        return;
      default: {
        const unreachable: never = message;
        throw new Error(`unhandled host message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** How many sessions run here now (ended ones the hub has not forgotten yet are not counted). */
  get runningSessions(): number {
    let running = 0;
    for (const session of this.sessions.values()) if (session.isRunning) running++;
    return running;
  }

  /**
   * Calls `listener` once no session runs here: at once when none does, else when the last one
   * ends. Not after `shutdown`, which ends them on purpose.
   */
  whenNoneRunning(listener: () => void): void {
    if (this.runningSessions === 0) return listener();
    this.noneRunning.push(listener);
  }

  /** Stops every session and calls `onShutdown`. */
  shutdown(): void {
    this.noneRunning = [];
    for (const session of this.sessions.values()) session.dispose();
    this.options.logger.info({ sessions: this.sessions.size }, "host shutting down");
    this.options.onShutdown();
  }

  private sync(hubSeqs: Record<string, number>): void {
    // What the hub did not acknowledge is sent again below: the link's window starts afresh.
    this.outbox?.resync();
    for (const session of this.sessions.values()) {
      for (const event of session.replayAfter(hubSeqs[session.id] ?? 0))
        this.outbox?.event(session.id, event);
    }
    this.synced = true;
  }

  private spawn(spec: SpawnSpec): Spawned | Promise<Spawned> {
    const runtime = runtimeFor(spec.kind);
    // A runtime loaded on first use starts once its module is in; the others right away.
    return runtime instanceof Promise
      ? runtime.then((loaded) => this.start(spec, loaded))
      : this.start(spec, runtime);
  }

  private start(spec: SpawnSpec, runtime: RuntimeFactory): Spawned {
    const existing = this.sessions.get(spec.id);
    if (existing?.isRunning) {
      throw new DispatchError("conflict", `session ${spec.id} is already running on this host`);
    }
    // An ended session the hub has not told us to forget yet is being revived: replace it.
    existing?.dispose();
    const session = new HostedSession({
      spec,
      env: { ...this.options.baseEnv, ...spec.env },
      ...(this.options.sandbox ? { sandbox: this.options.sandbox } : {}),
      runDir: this.options.runDir,
      runtime,
      bufferLimitBytes: this.options.bufferLimitBytes ?? DEFAULT_BUFFER_LIMIT_BYTES,
      onEvent: (from, event) => this.forward(from, event),
      onExit: (ended) => this.exited(ended),
    });
    this.sessions.set(spec.id, session);
    this.options.logger.info(
      { session: spec.id, kind: spec.kind, command: spec.command, cwd: spec.cwd },
      "session spawned",
    );
    return { pid: session.pid, capabilities: session.capabilities };
  }

  private exited(session: HostedSession): void {
    this.options.logger.info({ session: session.id }, "session exited");
    if (this.noneRunning.length === 0 || this.runningSessions > 0) return;
    for (const listener of this.noneRunning.splice(0)) listener();
  }

  private forward(session: HostedSession, event: BufferedEvent): void {
    if (!this.outbox || !this.synced) return;
    this.outbox.event(session.id, event);
    if (session.bufferedBytes >= PAUSE_HIGH_WATER_BYTES) session.setPaused(true);
    else if (event.outputBytes > 0 && this.outbox.isBulkWhileTyping(session.id))
      this.slowDown(session, event);
  }

  /** Output of a flood while someone types: its PTY waits for its share of the bulk rate. */
  private slowDown(session: HostedSession, event: BufferedEvent): void {
    const wait = this.throttle.take(event.outputBytes, Date.now());
    if (wait === 0 || this.throttled.has(session.id)) return;
    session.setPaused(true);
    const timer = setTimeout(() => {
      this.throttled.delete(session.id);
      // Paused for the hub as well: the acknowledgement that brings it low resumes it.
      if (session.bufferedBytes <= PAUSE_LOW_WATER_BYTES) session.setPaused(false);
    }, wait);
    timer.unref();
    this.throttled.set(session.id, timer);
  }

  private forget(id: string): void {
    clearTimeout(this.throttled.get(id));
    this.throttled.delete(id);
    const session = this.sessions.get(id);
    if (!session || session.isRunning) return;
    session.dispose();
    this.sessions.delete(id);
  }

  private requireSession(id: string): HostedSession {
    const session = this.sessions.get(id);
    if (!session) throw new DispatchError("not_found", `this host has no session ${id}`);
    return session;
  }

  /** Answers a request this host could not read (a newer hub's, or a malformed one) with why. */
  refuseRequest(ref: number, type: string): void {
    this.reply(ref, () => {
      throw new DispatchError(
        "protocol_version",
        `this host (dispatch ${VERSION}, host protocol ${HOST_PROTOCOL_VERSION}) cannot read the hub's '${type}' request; upgrade dispatch on the host`,
      );
    });
  }

  /**
   * Answers a request; at once for a plain result, once settled for a promise (a runtime's
   * command). `what` names the request in the error sent when the answer is too large.
   */
  private reply(ref: number, action: () => unknown, what = "the request"): void {
    const fail = (err: unknown) => {
      const error = toDispatchError(err);
      this.options.logger.warn({ err: error }, "host request failed");
      this.sendMessage({
        type: "reply",
        ref,
        ok: false,
        error: { code: error.code, message: error.message },
      });
    };
    const succeed = (data: unknown) => {
      const wire = encodeReply({ type: "reply", ref, ok: true, data }, what);
      if (wire instanceof DispatchError) fail(wire);
      else this.outbox?.control(wire);
    };
    try {
      const data = action();
      if (data instanceof Promise) {
        data.then(succeed, fail);
        return;
      }
      succeed(data);
    } catch (err) {
      fail(err);
    }
  }

  private sendMessage(message: HostMessage): void {
    this.outbox?.control(JSON.stringify(message));
  }
}

/**
 * A successful reply as sent, or the error to send instead: the hub closes a host's link on a
 * message over `MAX_HOST_MESSAGE_BYTES`, which would cut off every session of the host (and
 * again on each retry), so an answer that large is never sent.
 */
function encodeReply(message: HostMessage & { type: "reply" }, what: string): string | DispatchError {
  let wire: string;
  try {
    wire = JSON.stringify(message);
  } catch (err) {
    // Too long for a string at all (RangeError), or not JSON (a BigInt): not sendable either.
    return new DispatchError(
      "internal",
      `the answer to ${what} could not be encoded: ${(err as Error).message}`,
    );
  }
  const bytes = Buffer.byteLength(wire);
  if (bytes <= MAX_HOST_MESSAGE_BYTES) return wire;
  return new DispatchError(
    "too_large",
    `the answer to ${what} is ${mib(bytes)}, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one message from a host to the hub may hold, so the host sent this error instead (its link and sessions are unharmed); ask for less at a time, or keep what the session holds smaller`,
  );
}
