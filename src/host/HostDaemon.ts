/**
 * The host daemon: the one hub currently connected, and the hub's messages dispatched to the
 * sessions this host holds (`HostSessions`). Transport-free: the local Unix-socket server and
 * the remote dialer both hand it a `HubPeer` and the parsed messages, so the same daemon serves
 * the local and a remote hub alike.
 */
import { arch, hostname, platform } from "node:os";
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import { InputStreams } from "../core/InputStreams.js";
import { HOST_PROTOCOL_VERSION, VERSION } from "../core/version.js";
import { HOST_STOPPED_REASON } from "../protocol/events.js";
import type { HostInfo, HostMessage, HubToHostMessage } from "../protocol/host.js";
import type { BufferedEvent } from "./EventBuffer.js";
import type { HostedSession } from "./HostedSession.js";
import { HostReplies } from "./HostReplies.js";
import { HostSessions } from "./HostSessions.js";
import { HostStop, type HubLinkState } from "./HostStop.js";
import { HubOutbox } from "./HubOutbox.js";
import { encodeHello } from "./helloMessages.js";
import { runKindCommand, runtimeKinds, sweepOrphans } from "./runtimes/registry.js";
import type { SandboxPolicy } from "./runtimes/sandbox.js";
import { takeSavedSessions } from "./SavedSessions.js";
import { SessionBackpressure } from "./SessionBackpressure.js";

/** What the exit of a session its host stopped says (kept here too for the host's tests). */
export { HOST_STOPPED_REASON };

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
  /** Bound on one session's unacknowledged output (`DEFAULT_BUFFER_LIMIT_BYTES` if not given). */
  bufferLimitBytes?: number;
  /**
   * This host's own directory for its sessions' files (kernel connection files). Swept for
   * orphans once at start: nothing there can belong to a session of this new process.
   */
  runDir: string;
  /**
   * Where a stopping host saves the ends of sessions its hub has not stored, and where the next
   * host process of this name takes them back (`SavedSessions`). Without one (tests), nothing
   * is saved.
   */
  savedSessionsFile?: string;
  logger: Logger;
  /** Called after `shutdown`, once every session is stopped; `running`: how many ran when it began. */
  onShutdown: (stopped: { running: number }) => void;
}

export class HostDaemon {
  private readonly sessions: HostSessions;
  private readonly backpressure = new SessionBackpressure();
  /** Numbered inputs applied, kept across hubs: this process outlives a hub's restart. */
  private readonly inputs = new InputStreams();
  private readonly replies: HostReplies;
  /** The orderly stop (`shutdown`), told of the hub's acknowledgements while it waits for them. */
  private readonly stop: HostStop;
  private peer: HubPeer | undefined;
  /** Everything sent to the peer goes through this (see `HubOutbox`). */
  private outbox: HubOutbox | undefined;
  /** Events go to the peer only after it has said which seqs it holds (`sync`). */
  private synced = false;
  /** Set once a hub has connected (`platform/startingHub.ts`). */
  private reached = false;

  constructor(private readonly options: HostDaemonOptions) {
    this.sessions = new HostSessions({
      baseEnv: options.baseEnv,
      sandbox: options.sandbox,
      bufferLimitBytes: options.bufferLimitBytes,
      runDir: options.runDir,
      logger: options.logger,
      onEvent: (from, event) => this.forward(from, event),
    });
    this.replies = new HostReplies({
      send: (wire, session) => this.reply(wire, session),
      logger: options.logger,
    });
    this.stop = new HostStop({
      sessions: this.sessions,
      logger: options.logger,
      savedSessionsFile: options.savedSessionsFile,
      hubLink: () => this.hubLink(),
      closeHub: (code, reason) => this.peer?.close(code, reason),
      onShutdown: options.onShutdown,
    });
  }

  /**
   * Takes back the sessions an earlier host process saved as it stopped with their ends not
   * stored by the hub: the next hello reports them, and the hub's sync replays their events.
   */
  restoreSaved(): void {
    const { savedSessionsFile, logger } = this.options;
    if (savedSessionsFile !== undefined) this.sessions.restore(takeSavedSessions(savedSessionsFile, logger));
  }

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
    this.reached = true;
    if (this.peer && this.peer !== peer) this.peer.close(4000, "replaced by a newer hub connection");
    this.outbox?.close();
    this.peer = peer;
    const outbox = new HubOutbox(peer);
    this.outbox = outbox;
    this.synced = false;
    // What was gathered while no hub was connected becomes events now, ahead of the hello.
    for (const session of this.sessions.values()) session.holdOutput(false);
    const hello = encodeHello({
      protocol: HOST_PROTOCOL_VERSION,
      host: this.info(),
      sessions: [...this.sessions.values()].map((s) => s.state()),
    });
    for (const { id, problem } of hello.trimmed) this.options.logger.warn({ session: id }, problem);
    for (const wire of hello.wires) outbox.control(wire);
    this.options.logger.info({ sessions: this.sessions.size, messages: hello.wires.length }, "hub connected");
  }

  disconnect(peer: HubPeer): void {
    if (this.peer !== peer) return;
    this.peer = undefined;
    this.outbox?.close();
    this.outbox = undefined;
    this.synced = false;
    this.backpressure.release(this.sessions.values());
    for (const session of this.sessions.values()) session.holdOutput(true);
    this.options.logger.info("hub disconnected; sessions keep running and buffering");
    this.stop.progressed();
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
        if (session) this.backpressure.acknowledged(session);
        this.stop.progressed();
        return;
      }
      case "spawn":
        return this.replies.answer(
          message.ref,
          () => {
            if (this.stop.begun)
              throw new DispatchError(
                "host_unavailable",
                "this host is stopping; start the session again once it is back",
              );
            return this.sessions.spawn(message.spec);
          },
          { session: message.spec.id },
        );
      case "input": {
        // Input for a session that ended is dropped: the hub checks status and tells the client.
        const session = this.sessions.get(message.session);
        if (!session?.isRunning) return;
        // A resend through a restarted hub of an input applied before it died: applied once.
        const by = message.by ?? "";
        if (message.id && this.inputs.seen(by, message.id)) return;
        this.outbox?.input(message.session);
        session.input(message.data, message.by);
        if (message.id) this.inputs.record(by, message.id);
        return;
      }
      case "resize":
        this.sessions.get(message.session)?.resize(message.cols, message.rows);
        return;
      case "signal":
        return this.replies.answer(
          message.ref,
          () => this.sessions.require(message.session).signal(message.signal),
          { session: message.session },
        );
      case "command":
        return this.replies.answer(
          message.ref,
          () => this.sessions.require(message.session).command(message.name, message.args),
          { what: `'${message.name}'`, session: message.session },
        );
      case "kind-command":
        return this.replies.answer(
          message.ref,
          () => runKindCommand(message.kind, message.name, message.args),
          { what: `${message.kind}'s '${message.name}'` },
        );
      case "rename":
        this.sessions.get(message.session)?.rename(message.name);
        return;
      case "forget":
        this.backpressure.forget(message.session);
        this.sessions.forget(message.session);
        this.stop.progressed();
        return;
      case "ping":
        this.sendMessage({ type: "pong", t: message.t });
        return;
      case "stats":
        this.sendMessage({
          type: "stats",
          ref: message.ref,
          rss: process.memoryUsage.rss(),
          buffered: this.sessions.bufferedBytes(),
        });
        return;
      case "orphans": {
        const { clean } = message;
        return this.replies.answer(message.ref, async () => {
          const orphans = await sweepOrphans({ runDir: this.options.runDir, clean });
          if (clean && orphans.length > 0)
            this.options.logger.info({ orphans: orphans.map((o) => o.description) }, "orphans removed");
          return { orphans, cleaned: clean };
        });
      }
      case "shutdown":
        this.replies.answer(message.ref, () => undefined);
        void this.shutdown();
        return;
      default: {
        const unreachable: never = message;
        throw new Error(`unhandled host message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  /** Whether a hub has ever connected to this host. */
  get hubReached(): boolean {
    return this.reached;
  }

  /** How many sessions run here now (ended ones the hub has not forgotten yet are not counted). */
  get runningSessions(): number {
    return this.sessions.running;
  }

  /**
   * Calls `listener` once no session runs here: at once when none does, else when the last one
   * ends. Not after `shutdown`, which ends them on purpose.
   */
  whenNoneRunning(listener: () => void): void {
    this.sessions.whenNoneRunning(listener);
  }

  /**
   * Stops every session, each exit saying the host stopped it; gives a connected hub a moment
   * to store those ends, saves what it has not (`SavedSessions`), and calls `onShutdown`
   * (`HostStop`).
   */
  shutdown(): Promise<void> {
    return this.stop.run();
  }

  /** Answers a request this host could not read (a newer hub's, or a malformed one) with why. */
  refuseRequest(ref: number, type: string): void {
    this.replies.answer(ref, () => {
      throw new DispatchError(
        "protocol_version",
        `this host (dispatch ${VERSION}, host protocol ${HOST_PROTOCOL_VERSION}) cannot read the hub's '${type}' request; upgrade dispatch on the host`,
      );
    });
  }

  private hubLink(): HubLinkState {
    if (!this.outbox) return "none";
    return this.synced ? "synced" : "connected";
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

  private forward(session: HostedSession, event: BufferedEvent): void {
    if (!this.outbox || !this.synced) return;
    this.outbox.event(session.id, event);
    this.backpressure.sent(session, event, this.outbox);
  }

  /**
   * A reply about a session leaves after the events the session produced before it, output
   * still gathered included, so the hub has them all when the answer reaches the asker.
   */
  private reply(wire: string, session: string | undefined): void {
    if (!this.outbox) return;
    if (session === undefined) return this.outbox.control(wire);
    this.sessions.get(session)?.flushOutput();
    this.outbox.reply(session, wire);
  }

  private sendMessage(message: HostMessage): void {
    this.outbox?.control(JSON.stringify(message));
  }
}
