/**
 * The page's working set: the hub connection and the parts the page is made of (the session
 * store, the people, the open views, the layout, input). It routes hub messages to them,
 * re-attaches every open view from its last seq after a reconnect, and sends the requests the
 * user makes of sessions (create, rename, kill, revive, a kind's verbs).
 */
import type { ServerMessage } from "../../../src/protocol/client.js";
import type { OutputFrame } from "../../../src/protocol/frames.js";
import type { SessionInfo } from "../../../src/protocol/session.js";
import { DEFAULT_KIND } from "../kinds/registry.js";
import { AgentNotifier } from "./agent-notify.svelte.js";
import { becameWaiting } from "./agent-state.js";
import { checkSession } from "./auth.js";
import { Connection, type ConnectionState } from "./connection.js";
import { exposeDebug } from "./debug.js";
import { listHosts } from "./host-api.js";
import { Layout } from "./layout.svelte.js";
import { OpenViews } from "./open-views.js";
import { People } from "./people.svelte.js";
import { SessionInput } from "./session-input.svelte.js";
import { SessionStore } from "./sessions.svelte.js";
import { toasts } from "./toasts.svelte.js";

export interface CreateOptions {
  name?: string;
  cwd?: string;
  command?: string[];
  /** Host id to run on; the hub's own host when absent. */
  host?: string;
  /** A registered kind's name; a terminal when absent. */
  kind?: string;
  /** Kind-specific options (a chat's provider settings). */
  options?: Record<string, unknown>;
}

function sessionFromReply(reply: ServerMessage): SessionInfo | undefined {
  if (reply.type === "attached") return reply.session;
  if (reply.type !== "result" || typeof reply.data !== "object" || reply.data === null) return undefined;
  const data = reply.data as { session?: SessionInfo } & Partial<SessionInfo>;
  if (data.session && typeof data.session.id === "string") return data.session;
  return typeof data.id === "string" ? (data as SessionInfo) : undefined;
}

export class Workspace {
  readonly store = new SessionStore();
  readonly notifier = new AgentNotifier();
  readonly people = new People();
  readonly input: SessionInput;
  readonly views: OpenViews;
  readonly layout: Layout;
  connection = $state<ConnectionState>({ state: "connecting", attempt: 0 });
  /**
   * When what the page knows of the hosts stopped being current (the link to the hub went down:
   * their `host` messages cannot reach it); null again once they are re-read over a new link.
   */
  hostsStaleSince = $state<number | null>(null);
  /** Set once the first session list has arrived (the view is restored then). */
  ready = $state(false);
  readonly #conn: Connection;

  constructor(options: { onUnauthorized(): void }) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    const conn = new Connection({
      url: `${scheme}//${location.host}/ws`,
      handlers: {
        message: (msg) => this.#message(msg),
        output: (frame) => this.#output(frame),
        state: (state) => {
          if (state.state !== "open" && this.connection.state === "open") this.hostsStaleSince = Date.now();
          this.connection = state;
          if (state.state === "unauthorized") options.onUnauthorized();
        },
        open: (isReconnect) => void this.#opened(isReconnect),
        isUnauthorized: async () => (await checkSession()) === false,
      },
    });
    this.#conn = conn;
    const { store, people } = this;
    this.input = new SessionInput({ conn, store, people });
    this.views = new OpenViews({
      conn,
      store,
      people,
      io: (id) => ({
        input: (data) => this.input.send(id, data),
        command: (name, args) => this.command(id, name, args),
      }),
    });
    this.layout = new Layout({ conn, store, views: this.views, people });
  }

  start(): void {
    exposeDebug(this);
    this.#conn.start();
    this.people.load();
  }

  retryNow(): void {
    this.#conn.retryNow();
  }

  dispose(): void {
    this.#conn.dispose();
    this.views.dispose();
  }

  async create(options: CreateOptions): Promise<SessionInfo> {
    const size = this.views.activeTerminal?.terminal;
    const reply = await this.#conn.request({
      type: "create",
      session: {
        kind: DEFAULT_KIND,
        ...options,
        cols: size?.cols ?? 80,
        rows: size?.rows ?? 24,
      },
    });
    const info = sessionFromReply(reply);
    if (!info) throw new Error("The hub did not return the new session.");
    this.store.upsert(info);
    void this.layout.switchTo(info.id);
    return info;
  }

  async rename(id: string, name: string): Promise<void> {
    const reply = await this.#conn.request({ type: "rename", session: id, name });
    const info = sessionFromReply(reply);
    if (info) this.store.upsert(info);
  }

  async kill(id: string): Promise<void> {
    const reply = await this.#conn.request({ type: "kill", session: id });
    const info = sessionFromReply(reply);
    if (info) this.store.upsert(info);
  }

  /** A verb of the session's kind; resolves with the result's data (the hub's error rejects). */
  async command(id: string, name: string, args?: unknown): Promise<unknown> {
    const reply = await this.#conn.request({ type: "command", session: id, name, args });
    return reply.type === "result" ? reply.data : undefined;
  }

  /**
   * Starts an ended session again on its host (kinds that revive); its screen and log continue.
   * `options` are for the kind's revive (a workspace's `replay`).
   */
  async revive(id: string, options?: Record<string, unknown>): Promise<void> {
    // Keys typed from the click on are for the new process: kept until the hub has started it.
    this.input.hold(id);
    try {
      const reply = await this.#conn.request({
        type: "revive",
        session: id,
        ...(options ? { options } : {}),
      });
      const info = sessionFromReply(reply);
      if (info) this.store.upsert(info);
      this.views.attach(id);
      // In a tile beside the focused one too: the new process starts at the tile's size.
      if (this.layout.isShown(id)) this.layout.fitSession(id, true);
    } finally {
      this.input.release(id);
    }
  }

  /** Re-reads the hosts (round-trip times change without a `host` message). */
  refreshHosts(): void {
    if (this.#conn.isOpen) void this.#loadHosts();
  }

  /** Host links as of now; `host` messages keep them current afterwards. */
  async #loadHosts(): Promise<void> {
    // Hosts are the owner's; others would only be refused (a 403 in the console).
    await this.people.loaded;
    if (this.people.principal && !this.people.isOwner) return;
    const hosts = await listHosts();
    if (!hosts) return;
    for (const host of hosts) this.store.setHost(host);
    // Current again only if the link did not drop meanwhile.
    if (this.#conn.isOpen) this.hostsStaleSince = null;
  }

  async #opened(isReconnect: boolean): Promise<void> {
    let list: SessionInfo[];
    try {
      const reply = await this.#conn.request({ type: "list" });
      list = reply.type === "sessions" ? reply.sessions : [];
    } catch (err) {
      toasts.push(`Could not list sessions: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    this.store.setAll(list);
    void this.#loadHosts();
    for (const id of this.views.ids()) {
      if (!this.store.byId(id)) this.layout.closeView(id);
    }
    if (isReconnect || this.ready) {
      this.views.attachAll();
      this.input.flush();
      return;
    }
    this.ready = true;
    await this.layout.restore();
  }

  #message(msg: ServerMessage): void {
    switch (msg.type) {
      case "session": {
        const previous = this.store.byId(msg.session.id);
        this.store.upsert(msg.session);
        if (becameWaiting(previous, msg.session)) {
          const id = msg.session.id;
          this.notifier.notify(msg.session, id === this.store.activeId, () => void this.layout.switchTo(id));
        }
        break;
      }
      case "attached":
        this.store.upsert(msg.session);
        break;
      case "session-removed":
        this.layout.closeView(msg.id);
        this.store.remove(msg.id);
        break;
      case "event":
        this.views.get(msg.event.session)?.model.event(msg.event);
        break;
      case "snapshot":
        this.views.get(msg.session)?.model.snapshot(msg, () => {
          if (this.layout.isShown(msg.session)) this.layout.fitSession(msg.session, true);
        });
        break;
      case "host":
        this.store.setHost(msg.host);
        break;
      case "presence":
        this.people.setPresence(msg.session, msg.presence);
        break;
      case "welcome":
        this.people.welcomed(msg.roles ?? {});
        break;
      case "role":
        this.#roleChanged(msg);
        break;
      case "error":
        toasts.push(msg.message);
        break;
      case "storage":
        toasts.push(
          msg.storage.ok
            ? "the hub stores output again; nothing was lost"
            : `the hub cannot store output right now: ${msg.storage.problem}`,
        );
        break;
      case "sessions":
        this.store.setAll(msg.sessions);
        break;
      default:
        // Replies handled by their requests, and messages of a newer hub (host status) that
        // this page does not show yet: nothing to do, and nothing worth a console warning.
        break;
    }
  }

  /** An owner changed this page's role: the controls follow at once, and the person is told. */
  #roleChanged(msg: Extract<ServerMessage, { type: "role" }>): void {
    const { session } = msg;
    const was = session === undefined ? undefined : this.people.readOnly(session);
    this.people.roleChanged(msg.principal, session, msg.role);
    if (session === undefined || was === this.people.readOnly(session)) return;
    const name = this.store.byId(session)?.name ?? "this session";
    toasts.push(
      was
        ? `You can type into '${name}' now: an owner gave you write access.`
        : `You can only watch '${name}' now: an owner made you a viewer there.`,
    );
  }

  #output(frame: OutputFrame): void {
    const term = this.views.get(frame.session)?.model;
    if (!term?.output(frame.seq, frame.data)) return;
    // Open background terminals know about new output before the hub's (throttled) notice.
    if (!this.layout.isShown(frame.session) && term.isLiveSeq(frame.seq))
      this.store.markUnread(frame.session);
  }
}
