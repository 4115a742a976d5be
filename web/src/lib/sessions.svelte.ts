/**
 * The session list as the hub reports it, plus this page's view of it: which terminals are
 * open, which one is active, how much of each session the user has seen (unread markers),
 * and the panel filter. Reactive (Svelte runes); no I/O besides localStorage.
 */
import { isLiveStatus } from "../../../src/core/liveness.js";
import type { HostView } from "../../../src/protocol/hosts.js";
import type { SessionInfo } from "../../../src/protocol/session.js";
import { isLocalHost } from "./host-kind.js";
import {
  loadProject,
  loadSeen,
  loadView,
  saveProject,
  saveSeen,
  saveView,
  type ViewState,
} from "./persist.js";

/** Sessions of one project (null: not in any), as the panel shows them under a heading. */
export interface ProjectGroup {
  project: string | null;
  sessions: SessionInfo[];
}

export class SessionStore {
  sessions = $state<SessionInfo[]>([]);
  activeId = $state<string | null>(null);
  /** Open terminals, in the order they were opened (stable, so their elements never move). */
  openIds = $state<string[]>([]);
  /** Sessions shown side by side (2–4 tiles), in screen order; one id or none: a single view. */
  tiles = $state<string[]>([]);
  /** Phone layout: one session at a time, whatever the tiles say. */
  phone = $state(false);
  /** The same ids, most recently used last. */
  #recent: string[] = [];
  filter = $state("");
  /** Show only sessions of this host id; empty: every host. */
  hostFilter = $state("");
  /**
   * The current project: the panel shows only its sessions (on every host); empty: every
   * session, grouped by project. Remembered across reloads, like `dispatch use --project`.
   */
  project = $state(loadProject());
  /** Output bytes seen per session; more than this in a background session is unread. */
  seen = $state<Record<string, number>>(loadSeen());
  /** Sessions with live output seen in their open (background) terminal since last viewed. */
  unread = $state<Record<string, true>>({});
  /** Every host the hub knows (link status, health, facts), by host id. */
  hosts = $state<Record<string, HostView>>({});
  /** Ticks so "last activity" ages stay fresh. */
  now = $state(Date.now());

  /** Every project some session belongs to, by name. */
  readonly projects = $derived(
    [...new Set(this.sessions.flatMap((s) => (s.project ? [s.project] : [])))].sort(),
  );

  /** Sessions shown, grouped by project: named projects by name, then sessions in none. */
  readonly groups = $derived.by((): ProjectGroup[] => {
    const needle = this.filter.trim().toLowerCase();
    const host = this.hostFilter;
    const project = this.projects.includes(this.project) ? this.project : "";
    const shown = this.sessions.filter(
      (s) =>
        (!host || s.host === host) &&
        (!project || s.project === project) &&
        (!needle || s.name.toLowerCase().includes(needle)),
    );
    const groups = new Map<string | null, SessionInfo[]>();
    for (const s of shown) {
      const key = s.project ?? null;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    return [...groups]
      .map(([name, sessions]) => ({ project: name, sessions }))
      .sort((a, b) =>
        a.project === b.project
          ? 0
          : a.project === null
            ? 1
            : b.project === null
              ? -1
              : a.project.localeCompare(b.project),
      );
  });

  /** The sessions shown, in the panel's order (groups one after another). */
  readonly visible = $derived(this.groups.flatMap((g) => g.sessions));

  /** Makes `project` current ("" for all); remembered across reloads. */
  useProject(project: string): void {
    this.project = project;
    saveProject(project);
  }

  /** Hosts in display order: the hub's own first, then by name. */
  readonly hostList = $derived(
    Object.values(this.hosts).sort((a, b) =>
      a.kind !== b.kind ? (isLocalHost(a) ? -1 : 1) : a.name.localeCompare(b.name),
    ),
  );

  readonly active = $derived(this.sessions.find((s) => s.id === this.activeId));

  /** Ids on screen, in tile order: the tiles (not on a phone), else the active session. */
  readonly shownIds = $derived.by((): string[] => {
    if (!this.phone && this.tiles.length > 1) return this.tiles;
    return this.activeId ? [this.activeId] : [];
  });

  /** Whether `id` is on screen: the active session, or one of the tiles beside it. */
  isShown(id: string): boolean {
    return this.shownIds.includes(id);
  }

  byId(id: string): SessionInfo | undefined {
    return this.sessions.find((s) => s.id === id);
  }

  /** Accepts a name or an id, like the hub does. */
  find(ref: string): SessionInfo | undefined {
    return this.sessions.find((s) => s.id === ref) ?? this.sessions.find((s) => s.name === ref);
  }

  setAll(list: SessionInfo[]): void {
    this.sessions = [...list].sort((a, b) => a.createdAt - b.createdAt);
    for (const s of list) this.#initSeen(s);
    const ids = new Set(list.map((s) => s.id));
    const seen: Record<string, number> = {};
    for (const [id, bytes] of Object.entries(this.seen)) if (ids.has(id)) seen[id] = bytes;
    // On screen is seen, also what it printed while this page was away.
    for (const s of list) if (this.isShown(s.id)) seen[s.id] = s.bytes;
    this.seen = seen;
    saveSeen(this.seen);
  }

  upsert(info: SessionInfo): void {
    const index = this.sessions.findIndex((s) => s.id === info.id);
    if (index >= 0) this.sessions[index] = info;
    else this.sessions.push(info);
    this.#initSeen(info);
    // Any tile on screen is being looked at, not only the focused one.
    if (this.isShown(info.id)) this.markSeen(info.id);
  }

  remove(id: string): void {
    this.sessions = this.sessions.filter((s) => s.id !== id);
    delete this.seen[id];
    saveSeen(this.seen);
  }

  setHost(host: HostView): void {
    this.hosts[host.id] = host;
  }

  /** A host's display name (the id when the hub has not described it). */
  hostName(id: string): string {
    return this.hosts[id]?.name ?? id;
  }

  /** A host's sessions as this page sees them (live, unlike the counts in a host message). */
  hostCounts(id: string): { total: number; running: number; ended: number; orphaned: number } {
    const counts = { total: 0, running: 0, ended: 0, orphaned: 0 };
    for (const s of this.sessions) {
      if (s.host !== id) continue;
      counts.total++;
      if (isLiveStatus(s.status)) counts.running++;
      else if (s.status === "orphaned") counts.orphaned++;
      else counts.ended++;
    }
    return counts;
  }

  /**
   * The status to show: a session that runs on a host whose link is down is `unreachable`
   * (it may well still run there; the hub just cannot reach it).
   */
  displayStatus(s: SessionInfo): string {
    const link = this.hosts[s.host]?.status;
    const live = isLiveStatus(s.status);
    return live && link !== undefined && link !== "connected" ? "unreachable" : s.status;
  }

  isUnread(s: SessionInfo): boolean {
    if (this.isShown(s.id)) return false;
    return this.unread[s.id] === true || s.bytes > (this.seen[s.id] ?? s.bytes);
  }

  markUnread(id: string): void {
    if (!this.unread[id]) this.unread[id] = true;
  }

  markSeen(id: string): void {
    if (this.unread[id]) delete this.unread[id];
    const s = this.byId(id);
    if (!s || this.seen[id] === s.bytes) return;
    this.seen[id] = s.bytes;
    saveSeen(this.seen);
  }

  /** Records `id` as open and the most recently used. */
  touchOpen(id: string): void {
    if (!this.openIds.includes(id)) this.openIds.push(id);
    this.#recent = [...this.#recent.filter((o) => o !== id), id];
  }

  dropOpen(id: string): void {
    this.openIds = this.openIds.filter((o) => o !== id);
    this.tiles = this.tiles.filter((o) => o !== id);
    this.#recent = this.#recent.filter((o) => o !== id);
  }

  /** Open ids, least recently used first. */
  get recent(): readonly string[] {
    return this.#recent;
  }

  persistView(): void {
    saveView({ open: this.openIds, active: this.activeId, tiles: this.tiles });
  }

  restoredView(): ViewState {
    return loadView();
  }

  #initSeen(s: SessionInfo): void {
    // A session seen for the first time counts as read: no wall of markers on a first visit.
    if (this.seen[s.id] === undefined) this.seen[s.id] = s.bytes;
  }
}
