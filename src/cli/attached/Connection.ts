/**
 * The attached client's connection to the hub: the socket and the session list over it, kept
 * through hub restarts. When the hub goes away (a restart, a crash) it retries with backoff,
 * finds the hub again (its port may have changed) and carries on over a new connection: the
 * session list afresh, the shown session from the last seq it showed (`SessionView.reattach`),
 * so nothing is lost or doubled, and what was typed meanwhile once it is back. It gives up
 * after `DISPATCH_RECONNECT_GIVE_UP_MS`.
 *
 * Keys are numbered and kept until the hub acknowledges them (`InputOutbox`): those a dropped
 * link swallowed are sent again over the next connection, and those it delivered (only their
 * receipt was lost) are not typed twice, by the same hub or a restarted one.
 */
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import type { HubClient } from "../HubClient.js";
import { InputOutbox } from "../InputOutbox.js";
import { LiveSessions } from "./LiveSessions.js";
import { delay, reconnectToHub } from "./reconnect.js";
import type { SessionRoles } from "./SessionRoles.js";
import type { Reattached, SessionView } from "./SessionView.js";

/** Bound on telling the hub we leave; it notices a closed socket anyway. */
const DETACH_TIMEOUT_MS = 1_000;

export interface ConnectionEvents {
  /** The hub went away: what needs it is put away, and the client says it is reconnecting. */
  lost(): void;
  /** Carrying on over a new connection. */
  resumed(): void;
  /** The session list changed. */
  sessionsChanged(): void;
  /** No hub within the give-up time, or one that refused the client: the client ends. */
  gone(): void;
  /** The hub refused keys (the session ended, this client's role changed): they are not sent again. */
  refused(err: Error): void;
  /** Keys wait for the session's host to be linked to the hub again (said once per wait). */
  holding(message: string): void;
}

export interface ConnectionOptions {
  hub: HubClient;
  /** Finds the hub again after it went away (a restarted hub may listen on another port). */
  relocate(): HubClient;
  view: SessionView;
  /** Follows each connection's word on this client's roles. */
  roles: SessionRoles;
  /** Whether the client is leaving. */
  finished(): boolean;
  /** Settles when the client ends: a wait between attempts ends with it. */
  ended: Promise<unknown>;
  events: ConnectionEvents;
}

export class Connection {
  private hubClient: HubClient;
  private currentSocket: ClientSocket | undefined;
  private currentSessions: LiveSessions | undefined;
  /** Set while the hub is away and the client is trying to reach it again. */
  private away = false;
  /** Keys until the hub's receipt: typed while it is away, or swallowed by a dropped link. */
  private readonly outbox: InputOutbox;
  private readonly cleanups: Array<() => void> = [];

  constructor(private readonly options: ConnectionOptions) {
    this.hubClient = options.hub;
    this.outbox = new InputOutbox({
      refused: (err) => options.events.refused(err),
      holding: (message) => options.events.holding(message),
    });
  }

  get hub(): HubClient {
    return this.hubClient;
  }

  get socket(): ClientSocket | undefined {
    return this.currentSocket;
  }

  get sessions(): LiveSessions | undefined {
    return this.currentSessions;
  }

  get reconnecting(): boolean {
    return this.away;
  }

  /**
   * Connects and loads the session list; undefined when the client left meanwhile. Its
   * teardown (`close`) may have run by then: what was opened after it is closed here.
   */
  async open(): Promise<LiveSessions | undefined> {
    const socket = await this.hubClient.connect("dispatch-tui");
    if (this.options.finished()) {
      await socket.close();
      return undefined;
    }
    this.cleanups.push(this.options.roles.follow(socket));
    this.currentSocket = socket;
    const sessions = await LiveSessions.load(socket);
    if (this.options.finished()) {
      sessions.dispose();
      await socket.close();
      return undefined;
    }
    this.currentSessions = sessions;
    this.watch(socket, sessions);
    return sessions;
  }

  /**
   * Keys for a session; typed while the hub is away (the socket is the closed one), they are
   * sent once it is back, in order (up to the outbox's bound).
   */
  input(session: string, keys: string): void {
    const socket = this.currentSocket;
    if (socket) this.outbox.send(socket, session, keys);
  }

  /** Leaves: the hub is told the client detaches from `current` (briefly), the socket closed. */
  async close(current: SessionInfo | undefined): Promise<void> {
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.currentSessions?.dispose();
    const socket = this.currentSocket;
    if (!socket) return;
    if (socket.isOpen && current) {
      await Promise.race([socket.detach(current.id).catch(() => undefined), delay(DETACH_TIMEOUT_MS)]);
    }
    await socket.close();
  }

  /** Listens for the connection's end and the session list's changes (until replaced). */
  private watch(socket: ClientSocket, sessions: LiveSessions): void {
    this.cleanups.push(
      socket.onClose(() => this.connectionLost(socket)),
      sessions.onChange(() => {
        if (this.currentSessions === sessions) this.options.events.sessionsChanged();
      }),
    );
  }

  private connectionLost(socket: ClientSocket): void {
    if (this.options.finished() || socket !== this.currentSocket || this.away) return;
    this.reconnect().catch(() => this.options.events.gone());
  }

  /**
   * Retries until the hub answers again, then resumes where the client was; after
   * `DISPATCH_RECONNECT_GIVE_UP_MS` without a hub the client ends.
   */
  private async reconnect(): Promise<void> {
    const { finished, events } = this.options;
    this.away = true;
    events.lost();
    const outcome = await reconnectToHub({
      client: "dispatch-tui",
      relocate: () => this.options.relocate(),
      finished,
      ended: this.options.ended,
      resume: (socket, hub) => this.resume(socket, hub),
    });
    if (outcome === "gave-up") events.gone();
  }

  /** Carries on over a new connection: the session list afresh, the session from its last seq. */
  private async resume(socket: ClientSocket, hub: HubClient): Promise<void> {
    // Before the attach: its reply says the role, which may have changed while the hub was away.
    this.cleanups.push(this.options.roles.follow(socket));
    const sessions = await LiveSessions.load(socket);
    let reattached: Reattached;
    try {
      reattached = await this.options.view.reattach(socket);
    } catch (err) {
      sessions.dispose();
      throw err;
    }
    if (this.options.finished()) {
      reattached.dispose();
      sessions.dispose();
      await socket.close();
      return;
    }
    reattached.adopt();
    this.currentSessions?.dispose();
    this.hubClient = hub;
    this.currentSocket = socket;
    this.currentSessions = sessions;
    this.away = false;
    this.watch(socket, sessions);
    this.outbox.resend(socket);
    if (!socket.isOpen) this.connectionLost(socket);
    this.options.events.resumed();
  }
}
