/**
 * The host daemon: the one hub currently connected (`ConnectedHub`), and the hub's messages
 * dispatched to the sessions this host holds (`HostSessions`). Transport-free: the local
 * Unix-socket server and the remote dialer both hand it a `HubPeer` and the parsed messages, so
 * the same daemon serves the local and a remote hub alike.
 */
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import { InputStreams } from "../core/InputStreams.js";
import { HOST_PROTOCOL_VERSION, VERSION } from "../core/version.js";
import { HOST_STOPPED_REASON } from "../protocol/events.js";
import type { HostInfo, HostMessage, HubToHostMessage } from "../protocol/host.js";
import { ConnectedHub, type HubPeer } from "./ConnectedHub.js";
import type { BufferedEvent } from "./EventBuffer.js";
import type { HostedSession } from "./HostedSession.js";
import { HostReplies } from "./HostReplies.js";
import { HostSessions } from "./HostSessions.js";
import { HostStop } from "./HostStop.js";
import { encodeHello } from "./helloMessages.js";
import { hostInfo } from "./hostInfo.js";
import { runKindCommand, sweepOrphans } from "./runtimes/registry.js";
import type { SandboxPolicy } from "./runtimes/sandbox.js";
import { takeSavedSessions } from "./SavedSessions.js";
import { SessionBackpressure } from "./SessionBackpressure.js";

export type { HubPeer } from "./ConnectedHub.js";
/** What the exit of a session its host stopped says (kept here too for the host's tests). */
export { HOST_STOPPED_REASON };

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
  private readonly hub = new ConnectedHub();

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
      hubLink: () => this.hub.link,
      closeHub: (code, reason) => this.hub.close(code, reason),
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
    return hostInfo(this.options);
  }

  /** A hub connected: it replaces any previous one and gets the hello. */
  connect(peer: HubPeer): void {
    const outbox = this.hub.connect(peer);
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
    if (!this.hub.disconnect(peer)) return;
    this.backpressure.release(this.sessions.values());
    for (const session of this.sessions.values()) session.holdOutput(true);
    this.options.logger.info("hub disconnected; sessions keep running and buffering");
    this.stop.progressed();
  }

  handle(peer: HubPeer, message: HubToHostMessage): void {
    if (!this.hub.is(peer)) return;
    switch (message.type) {
      case "sync":
        return this.sync(message.sessions);
      case "ack": {
        const session = this.sessions.get(message.session);
        session?.ack(message.seq);
        this.hub.outbox?.ack(message.session, message.seq);
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
        this.hub.outbox?.input(message.session);
        session.input(message.data, { by: message.by, name: message.byName, stream: message.id?.stream });
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
          () => this.sessions.require(message.session).command(message.name, message.args, message.by),
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
    return this.hub.reached;
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

  private sync(hubSeqs: Record<string, number>): void {
    this.hub.sync((outbox) => {
      for (const session of this.sessions.values()) {
        for (const event of session.replayAfter(hubSeqs[session.id] ?? 0)) outbox.event(session.id, event);
      }
    });
  }

  private forward(session: HostedSession, event: BufferedEvent): void {
    const outbox = this.hub.live;
    if (!outbox) return;
    outbox.event(session.id, event);
    this.backpressure.sent(session, event, outbox);
  }

  /**
   * A reply about a session leaves after the events the session produced before it, output
   * still gathered included, so the hub has them all when the answer reaches the asker.
   */
  private reply(wire: string, session: string | undefined): void {
    const { outbox } = this.hub;
    if (!outbox) return;
    if (session === undefined) return outbox.control(wire);
    this.sessions.get(session)?.flushOutput();
    outbox.reply(session, wire);
  }

  private sendMessage(message: HostMessage): void {
    this.hub.outbox?.control(JSON.stringify(message));
  }
}
