/**
 * The page's working set: the hub connection, the session store and one live terminal per
 * opened session. It routes hub messages to terminals, re-attaches every open terminal from
 * its last seq after a reconnect, and implements the user's commands (switch, create, ...).
 */
import { tick } from "svelte";
import { isLiveStatus } from "../../../src/core/liveness.js";
import type { ServerMessage } from "../../../src/protocol/client.js";
import type { OutputFrame } from "../../../src/protocol/frames.js";
import type { CleanupRequest, CleanupResult, HostView } from "../../../src/protocol/hosts.js";
import type { PresenceEntry, Principal, Role } from "../../../src/protocol/people.js";
import type { SessionInfo } from "../../../src/protocol/session.js";
import type { SessionView, WebKind } from "../kinds/kind.js";
import { DEFAULT_KIND, kindOf } from "../kinds/registry.js";
import { AgentNotifier } from "./agent-notify.svelte.js";
import { becameWaiting } from "./agent-state.js";
import { checkSession } from "./auth.js";
import { Connection, type ConnectionState } from "./connection.js";
import { exposeDebug } from "./debug.js";
import { applyCtrl } from "./keys.js";
import { afterPaint, beginSwitch, endSwitch } from "./perf.js";
import { SessionStore } from "./sessions.svelte.js";
import { TerminalSession } from "./terminal-session.js";
import { addTile, neighbour, showIn } from "./tiles.js";
import { toasts } from "./toasts.svelte.js";

/** Open sessions kept in the page; beyond this the least recently used one is closed. */
const MAX_OPEN_TERMINALS = 16;
/** Pages of older output read while looking for a search result's line (~1 MiB each). */
const MAX_HISTORY_PAGES_TO_FIND = 64;

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

/** An opened session: its model, and the kind that made it and renders it. */
export interface OpenSession {
  readonly kind: WebKind;
  readonly model: SessionView;
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

/** A host REST call with the login cookie; rejects with the hub's error message. */
async function hostApi(name: string, what: string, init: RequestInit): Promise<unknown> {
  const response = await fetch(`/api/hosts/${encodeURIComponent(name)}/${what}`, {
    ...init,
    credentials: "same-origin",
    headers: init.body === undefined ? {} : { "content-type": "application/json" },
  });
  let body: unknown;
  try {
    body = await response.json();
  } catch {
    // Not JSON (a proxy's error page): the status says enough.
  }
  if (!response.ok) {
    const message = (body as { error?: { message?: string } } | undefined)?.error?.message;
    throw new Error(message ?? `HTTP ${response.status}`);
  }
  return body;
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
  connection = $state<ConnectionState>({ state: "connecting", attempt: 0 });
  /** Phone key bar: the next key typed gets Ctrl applied. */
  ctrlSticky = $state(false);
  /** Set once the first session list has arrived (the view is restored then). */
  ready = $state(false);
  /** Phone layout: one session at a time, whatever the tiles say. */
  phone = $state(false);
  /** Who this page is signed in as (from `/api/me`); null until known. */
  principal = $state<Principal | null>(null);
  /** This page's role on each attached session (from `attached`). */
  roles = $state<Record<string, Role>>({});
  /** Who is attached to each session (pushed by the hub). */
  presence = $state<Record<string, PresenceEntry[]>>({});
  #toldReadOnly = false;
  /** Open sessions: each one's model, with the kind that made it (and renders it). */
  readonly #open = new Map<string, OpenSession>();
  readonly #conn: Connection;
  #switchToken = 0;

  constructor(options: { onUnauthorized(): void }) {
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    this.#conn = new Connection({
      url: `${scheme}//${location.host}/ws`,
      handlers: {
        message: (msg) => this.#message(msg),
        output: (frame) => this.#output(frame),
        state: (state) => {
          this.connection = state;
          if (state.state === "unauthorized") options.onUnauthorized();
        },
        open: (isReconnect) => void this.#opened(isReconnect),
        isUnauthorized: async () => (await checkSession()) === false,
      },
    });
  }

  start(): void {
    exposeDebug(this);
    this.#conn.start();
    fetch("/api/me", { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : undefined))
      .then((body: { principal?: Principal } | undefined) => {
        if (body?.principal) this.principal = body.principal;
      })
      .catch(() => {
        // Unknown until the next start: controls stay shown and the hub refuses what it must.
      });
  }

  /**
   * Whether this page may only watch a session: a viewer (by role, grant or a read-only share
   * link) never types, resizes, renames or kills, so those controls are hidden.
   */
  readOnly(id: string): boolean {
    const role = this.roles[id] ?? (this.principal?.via === "share" ? undefined : this.principal?.role);
    return (
      role === "viewer" ||
      (role === undefined && this.principal?.via === "share" && this.principal.role === "viewer")
    );
  }

  /** Whether this page may manage the hub (people, hosts, the audit trail). */
  get isOwner(): boolean {
    return this.principal?.role === "owner" && this.principal.via !== "share";
  }

  retryNow(): void {
    this.#conn.retryNow();
  }

  dispose(): void {
    this.#conn.dispose();
    for (const { model } of this.#open.values()) model.dispose();
    this.#open.clear();
  }

  /** An open session's model and its kind, for the view that shows it. */
  opened(id: string): OpenSession | undefined {
    return this.#open.get(id);
  }

  /** The open session's terminal, when its view is one (terminals, agents, unknown kinds). */
  terminal(id: string): TerminalSession | undefined {
    const model = this.#open.get(id)?.model;
    return model instanceof TerminalSession ? model : undefined;
  }

  get activeTerminal(): TerminalSession | undefined {
    return this.store.activeId ? this.terminal(this.store.activeId) : undefined;
  }

  /** The active session's model (a terminal, a conversation...), for focus. */
  get activeView(): SessionView | undefined {
    return this.store.activeId ? this.#open.get(this.store.activeId)?.model : undefined;
  }

  /** Whether `id` is on screen: the active session, or one of the tiles beside it. */
  isShown(id: string): boolean {
    if (id === this.store.activeId) return true;
    return !this.phone && this.store.tiles.length > 1 && this.store.tiles.includes(id);
  }

  /** Ids on screen, in tile order. */
  get shownIds(): string[] {
    const { tiles, activeId } = this.store;
    if (!this.phone && tiles.length > 1) return tiles;
    return activeId ? [activeId] : [];
  }

  /**
   * Shows `id` in the focused tile (or focuses its tile when it has one), opening its view if
   * needed; timed as `dispatch:switch`.
   */
  async switchTo(id: string): Promise<void> {
    const info = this.store.byId(id);
    if (!info) return;
    const existing = this.#open.get(id)?.model;
    const token = beginSwitch(id, !existing);
    const view = existing ?? this.#openSession(info);
    this.store.tiles = showIn(this.store.tiles, this.store.activeId, id);
    this.store.activeId = id;
    this.store.touchOpen(id);
    this.store.markSeen(id);
    this.store.persistView();
    this.#evict();
    await tick();
    if (view instanceof TerminalSession) {
      view.open();
      this.fitActive(true);
      // Render now rather than when xterm notices it is visible again, so the frame measured
      // below is the one that shows the screen.
      view.terminal.refresh(0, view.terminal.rows - 1);
    }
    view.focus();
    const mine = ++this.#switchToken;
    await view.whenCurrent();
    if (mine !== this.#switchToken) return;
    await afterPaint();
    endSwitch(token);
  }

  /**
   * Makes `project` current ("" for every session) and, when the active session is not in
   * it, shows the project's most recently used session (else its first).
   */
  switchProject(project: string): void {
    this.store.useProject(project);
    if (!project || this.store.active?.project === project) return;
    const recent = [...this.store.recent].reverse().find((id) => this.store.byId(id)?.project === project);
    const target = recent ?? this.store.sessions.find((s) => s.project === project)?.id;
    if (target) void this.switchTo(target);
  }

  /**
   * A search result: shows the session and selects the line, loading older output until the
   * terminal holds it (or the log's start is reached).
   */
  async openAt(id: string, line: string): Promise<void> {
    await this.switchTo(id);
    const term = this.terminal(id);
    const needle = line.trim();
    if (!term || !needle) return;
    for (let page = 0; page < MAX_HISTORY_PAGES_TO_FIND; page++) {
      if (term.search.findPrevious(needle)) return;
      if (!term.hasOlder) break;
      await term.loadOlder();
    }
    toasts.push("That line is no longer in the terminal's history.");
  }

  /** One more session beside the others (the first in the list not shown yet), up to 4. */
  split(): void {
    const shown = new Set(this.shownIds);
    const candidate = this.store.visible.find((s) => !shown.has(s.id));
    if (!candidate) {
      toasts.push("No other session to show beside this one.");
      return;
    }
    const tiles = addTile(this.store.tiles, this.store.activeId, candidate.id);
    if (!tiles) {
      toasts.push("At most 4 sessions side by side.");
      return;
    }
    this.store.tiles = tiles;
    void this.switchTo(candidate.id);
  }

  /** Back to one view: the focused session. */
  unsplit(): void {
    this.store.tiles = this.store.activeId ? [this.store.activeId] : [];
    this.store.persistView();
    void tick().then(() => this.fitActive(true));
  }

  /** Focus the next (+1) or previous (-1) tile. */
  focusTile(step: 1 | -1): void {
    const next = neighbour(this.store.tiles, this.store.activeId, step);
    if (next) void this.switchTo(next);
  }

  /** A tile got focus (a click into it): it becomes the active session. */
  focused(id: string): void {
    if (id === this.store.activeId || !this.store.tiles.includes(id)) return;
    this.store.activeId = id;
    this.store.touchOpen(id);
    this.store.markSeen(id);
    this.store.persistView();
  }

  /** Next (+1) or previous (-1) session in the panel's order, wrapping around. */
  cycle(step: 1 | -1): void {
    const list = this.store.visible;
    if (list.length === 0) return;
    const index = list.findIndex((s) => s.id === this.store.activeId);
    const next = list[(index + step + list.length) % list.length] ?? list[0];
    if (next) void this.switchTo(next.id);
  }

  /** Alt+1..9: the n-th session in the panel (1-based). */
  jump(n: number): void {
    const target = this.store.visible[n - 1];
    if (target) void this.switchTo(target.id);
  }

  /** Closes a session's view (the session keeps running on its host). */
  closeTerminal(id: string): void {
    const open = this.#open.get(id);
    if (!open) return;
    this.#conn.send({ type: "detach", session: id });
    this.#open.delete(id);
    this.store.dropOpen(id);
    open.model.dispose();
    if (this.store.activeId === id) {
      const previous = this.store.tiles.at(0) ?? this.store.recent.at(-1);
      this.store.activeId = null;
      if (previous) void this.switchTo(previous);
    }
    this.store.persistView();
  }

  async create(options: CreateOptions): Promise<SessionInfo> {
    const size = this.activeTerminal?.terminal;
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
    void this.switchTo(info.id);
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
    const reply = await this.#conn.request({ type: "revive", session: id, ...(options ? { options } : {}) });
    const info = sessionFromReply(reply);
    if (info) this.store.upsert(info);
    const open = this.#open.get(id);
    if (open) this.#attach(open);
    if (this.store.activeId === id) this.fitActive(true);
  }

  /** Input for the active terminal from outside xterm (the phone key bar, paste). */
  sendInput(data: string): void {
    const id = this.store.activeId;
    if (id) this.#input(id, data);
  }

  /**
   * Fits every terminal on screen (each tile has its own size) to its box and, when the size
   * differs from the session's, tells the hub (the most recent client to resize sets it).
   */
  fitActive(force = false): void {
    for (const id of this.shownIds) this.#fit(id, force);
  }

  #fit(id: string, force: boolean): void {
    const term = this.terminal(id);
    const info = this.store.byId(id);
    if (!term || !info) return;
    // A tile restored beside the active one opens here, once its element is in the page.
    if (term.element.isConnected) term.open();
    const changed = term.fit();
    const cols = term.terminal.cols;
    const rows = term.terminal.rows;
    if (!isLiveStatus(info.status) || this.readOnly(id)) return;
    if (changed || (force && (cols !== info.cols || rows !== info.rows))) {
      this.#conn.send({ type: "resize", session: id, cols, rows });
    }
  }

  #openSession(info: SessionInfo): SessionView {
    const kind = kindOf(info.kind);
    const model = kind.open(info, {
      input: (data) => this.#input(info.id, data),
      command: (name, args) => this.command(info.id, name, args),
    });
    const open = { kind, model };
    this.#open.set(info.id, open);
    this.store.touchOpen(info.id);
    this.#attach(open);
    return model;
  }

  #attach({ kind, model: term }: OpenSession): void {
    if (!this.#conn.isOpen) return;
    term.attaching();
    // A view with nothing yet asks for the current screen rather than the whole history, when
    // its kind has screens (a conversation needs its events).
    const fresh = term.lastSeq === 0 && kind.attach === "screen";
    // Replayed output may come joined (a frame's seq is its last event's): a reconnect replays
    // what was missed in a few frames, not one per event.
    this.#conn
      .request({ type: "attach", session: term.id, afterSeq: term.lastSeq, snapshot: fresh, coalesce: true })
      .then((reply) => {
        const info = sessionFromReply(reply);
        if (reply.type === "attached" && reply.role) this.roles[term.id] = reply.role;
        term.attached(info?.lastSeq ?? term.lastSeq);
      })
      .catch((err: unknown) => {
        if (err instanceof Error && "code" in err && err.code === "disconnected") return;
        toasts.push(`Could not attach: ${errorText(err)}`);
        term.attached(term.lastSeq);
      });
  }

  #evict(): void {
    while (this.store.openIds.length > MAX_OPEN_TERMINALS) {
      const victim = this.store.recent.find((id) => !this.isShown(id));
      if (!victim) return;
      this.closeTerminal(victim);
    }
  }

  #input(id: string, data: string): void {
    const info = this.store.byId(id);
    if (!info || !isLiveStatus(info.status)) return;
    if (this.readOnly(id)) {
      if (!this.#toldReadOnly) toasts.push(`You can watch '${info.name}' but not type into it (viewer).`);
      this.#toldReadOnly = true;
      return;
    }
    let text = data;
    if (this.ctrlSticky) {
      text = applyCtrl(data);
      this.ctrlSticky = false;
    }
    this.#conn.send({ type: "input", session: id, data: text });
  }

  async #opened(isReconnect: boolean): Promise<void> {
    let list: SessionInfo[];
    try {
      const reply = await this.#conn.request({ type: "list" });
      list = reply.type === "sessions" ? reply.sessions : [];
    } catch (err) {
      toasts.push(`Could not list sessions: ${errorText(err)}`);
      return;
    }
    this.store.setAll(list);
    void this.#loadHosts();
    for (const id of [...this.#open.keys()]) {
      if (!this.store.byId(id)) this.closeTerminal(id);
    }
    if (isReconnect || this.ready) {
      for (const open of this.#open.values()) this.#attach(open);
      return;
    }
    this.ready = true;
    // Arriving by a share link (`#session=NAME`): open that session first.
    const shared = location.hash.startsWith("#session=")
      ? this.store.find(decodeURIComponent(location.hash.slice("#session=".length)))
      : undefined;
    if (shared) {
      history.replaceState(null, "", location.pathname);
      await this.switchTo(shared.id);
      return;
    }
    const view = this.store.restoredView();
    this.store.tiles = view.tiles.filter((id) => this.store.byId(id));
    for (const id of view.open) {
      const info = this.store.byId(id);
      if (info && id !== view.active) this.#openSession(info);
    }
    if (view.active && this.store.byId(view.active)) await this.switchTo(view.active);
    else this.store.persistView();
  }

  /** Re-reads the hosts (round-trip times change without a `host` message). */
  refreshHosts(): void {
    if (this.#conn.isOpen) void this.#loadHosts();
  }

  /** `POST /api/hosts/:name/cleanup`: removes the host's ended and orphaned sessions. */
  async cleanupHost(name: string, request: CleanupRequest): Promise<CleanupResult> {
    return (await hostApi(name, "cleanup", {
      method: "POST",
      body: JSON.stringify(request),
    })) as CleanupResult;
  }

  /** `DELETE /api/hosts/:name/token`: the host is cut off and cannot dial back in. */
  async revokeHost(name: string): Promise<{ revoked: number; disconnected: boolean }> {
    return (await hostApi(name, "token", { method: "DELETE" })) as { revoked: number; disconnected: boolean };
  }

  /** Host links as of now; `host` messages keep them current afterwards. */
  async #loadHosts(): Promise<void> {
    // Hosts are the owner's; others would only be refused.
    if (this.principal && !this.isOwner) return;
    try {
      const response = await fetch("/api/hosts", { credentials: "same-origin" });
      if (!response.ok) return;
      const body = (await response.json()) as { hosts?: HostView[] };
      for (const host of body.hosts ?? []) this.store.setHost(host);
    } catch {
      // The hub went away again; the next `open` reloads them.
    }
  }

  #message(msg: ServerMessage): void {
    switch (msg.type) {
      case "session": {
        const previous = this.store.byId(msg.session.id);
        this.store.upsert(msg.session);
        if (becameWaiting(previous, msg.session)) {
          const id = msg.session.id;
          this.notifier.notify(msg.session, id === this.store.activeId, () => void this.switchTo(id));
        }
        break;
      }
      case "attached":
        this.store.upsert(msg.session);
        break;
      case "session-removed":
        this.closeTerminal(msg.id);
        this.store.remove(msg.id);
        break;
      case "event":
        this.#open.get(msg.event.session)?.model.event(msg.event);
        break;
      case "snapshot":
        this.#open.get(msg.session)?.model.snapshot(msg, () => {
          if (this.isShown(msg.session)) this.#fit(msg.session, true);
        });
        break;
      case "host":
        this.store.setHost(msg.host);
        break;
      case "presence":
        this.presence[msg.session] = msg.presence;
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

  #output(frame: OutputFrame): void {
    const term = this.#open.get(frame.session)?.model;
    if (!term?.output(frame.seq, frame.data)) return;
    // Open background terminals know about new output before the hub's (throttled) notice.
    if (!this.isShown(frame.session) && term.isLiveSeq(frame.seq)) this.store.markUnread(frame.session);
  }
}
