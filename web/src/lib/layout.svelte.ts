/**
 * What is on screen: the active session, and the tiles beside it (one session at a time on a
 * phone), each terminal fitted to its box; and the user's moves between sessions (switch, cycle,
 * split, close), which open a session's view when it has none yet.
 */
import { tick } from "svelte";
import { isLiveStatus } from "../../../src/core/liveness.js";
import type { Connection } from "./connection.js";
import type { OpenViews } from "./open-views.js";
import type { People } from "./people.svelte.js";
import { afterPaint, beginSwitch, endSwitch } from "./perf.js";
import type { SessionStore } from "./sessions.svelte.js";
import { TerminalSession } from "./terminal-session.js";
import { addTile, neighbour, showIn } from "./tiles.js";
import { toasts } from "./toasts.svelte.js";

/** Open sessions kept in the page; beyond this the least recently used one is closed. */
const MAX_OPEN_TERMINALS = 16;
/** Pages of older output read while looking for a search result's line (~1 MiB each). */
const MAX_HISTORY_PAGES_TO_FIND = 64;

export class Layout {
  /** Phone layout: one session at a time, whatever the tiles say (the store keeps it). */
  get phone(): boolean {
    return this.#store.phone;
  }
  set phone(phone: boolean) {
    this.#store.phone = phone;
  }
  /**
   * The name a link (`#session=NAME`) asked for that the hub has no session by: the page says
   * so instead of quietly showing another session. Cleared once a session is shown.
   */
  missingSession = $state<string | null>(null);
  #switchToken = 0;
  readonly #conn: Connection;
  readonly #store: SessionStore;
  readonly #views: OpenViews;
  readonly #people: People;

  constructor(parts: { conn: Connection; store: SessionStore; views: OpenViews; people: People }) {
    this.#conn = parts.conn;
    this.#store = parts.store;
    this.#views = parts.views;
    this.#people = parts.people;
  }

  /** Whether `id` is on screen: the active session, or one of the tiles beside it. */
  isShown(id: string): boolean {
    return this.#store.isShown(id);
  }

  /** Ids on screen, in tile order. */
  get shownIds(): string[] {
    return this.#store.shownIds;
  }

  /**
   * Shows `id` in the focused tile (or focuses its tile when it has one), opening its view if
   * needed; timed as `dispatch:switch`.
   */
  async switchTo(id: string): Promise<void> {
    const store = this.#store;
    const info = store.byId(id);
    if (!info) return;
    const existing = this.#views.get(id)?.model;
    this.missingSession = null;
    const token = beginSwitch(id, !existing);
    const view = existing ?? this.#views.open(info);
    store.tiles = showIn(store.tiles, store.activeId, id);
    store.activeId = id;
    store.touchOpen(id);
    store.markSeen(id);
    store.persistView();
    this.#evict();
    await tick();
    if (view instanceof TerminalSession) {
      view.open();
      this.fitShown(true);
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
    const store = this.#store;
    store.useProject(project);
    if (!project || store.active?.project === project) return;
    const recent = [...store.recent].reverse().find((id) => store.byId(id)?.project === project);
    const target = recent ?? store.sessions.find((s) => s.project === project)?.id;
    if (target) void this.switchTo(target);
  }

  /**
   * A search result: shows the session and selects the line, loading older output until the
   * terminal holds it (or the log's start is reached).
   */
  async openAt(id: string, line: string): Promise<void> {
    await this.switchTo(id);
    const term = this.#views.terminal(id);
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
    const candidate = this.#store.visible.find((s) => !shown.has(s.id));
    if (!candidate) {
      // Others the list's filters hide are there all the same: say so, not that there are none.
      const hidden = this.#store.sessions.some((s) => !shown.has(s.id));
      toasts.push(
        hidden
          ? "The list's filter hides the other sessions: clear it to show one beside this one."
          : "No other session to show beside this one.",
      );
      return;
    }
    const tiles = addTile(this.#store.tiles, this.#store.activeId, candidate.id);
    if (!tiles) {
      toasts.push("At most 4 sessions side by side.");
      return;
    }
    this.#store.tiles = tiles;
    void this.switchTo(candidate.id);
  }

  /** Back to one view: the focused session. */
  unsplit(): void {
    this.#store.tiles = this.#store.activeId ? [this.#store.activeId] : [];
    this.#store.persistView();
    void tick().then(() => this.fitShown(true));
  }

  /** Focus the next (+1) or previous (-1) tile. */
  focusTile(step: 1 | -1): void {
    const next = neighbour(this.#store.tiles, this.#store.activeId, step);
    if (next) void this.switchTo(next);
  }

  /** A tile got focus (a click into it): it becomes the active session. */
  focused(id: string): void {
    const store = this.#store;
    if (id === store.activeId || !store.tiles.includes(id)) return;
    store.activeId = id;
    store.touchOpen(id);
    store.markSeen(id);
    store.persistView();
  }

  /** Next (+1) or previous (-1) session in the panel's order, wrapping around. */
  cycle(step: 1 | -1): void {
    const list = this.#store.visible;
    if (list.length === 0) return;
    const index = list.findIndex((s) => s.id === this.#store.activeId);
    const next = list[(index + step + list.length) % list.length] ?? list[0];
    if (next) void this.switchTo(next.id);
  }

  /** Alt+1..9: the n-th session in the panel (1-based). */
  jump(n: number): void {
    const target = this.#store.visible[n - 1];
    if (target) void this.switchTo(target.id);
  }

  /** Closes a session's view (the session keeps running on its host); the previous one shows. */
  closeView(id: string): void {
    const store = this.#store;
    if (!this.#views.close(id)) return;
    if (store.activeId === id) {
      const previous = store.tiles.at(0) ?? store.recent.at(-1);
      store.activeId = null;
      if (previous) void this.switchTo(previous);
    }
    store.persistView();
  }

  /**
   * The first session list is in: shows the session a link (`#session=NAME`) names (or says
   * there is none), else the views open before the reload, in their tiles.
   */
  async restore(): Promise<void> {
    const store = this.#store;
    if (await this.openLinked()) return;
    const view = store.restoredView();
    store.tiles = view.tiles.filter((id) => store.byId(id));
    for (const id of view.open) {
      const info = store.byId(id);
      if (info && id !== view.active) this.#views.open(info);
    }
    if (view.active && store.byId(view.active)) await this.switchTo(view.active);
    else store.persistView();
  }

  /**
   * The session the address names (`#session=NAME`, a share link's landing or a link someone
   * sent): shows it, or says there is none by that name. False when the address names none.
   */
  async openLinked(): Promise<boolean> {
    const name = linkedSessionName(location.hash);
    if (name === null) return false;
    history.replaceState(null, "", location.pathname + location.search);
    const linked = this.#store.find(name);
    if (linked) await this.switchTo(linked.id);
    else this.missingSession = name;
    return true;
  }

  /**
   * Fits every terminal on screen (each tile has its own size) to its box and, when the size
   * differs from the session's, tells the hub (the most recent client to resize sets it).
   */
  fitShown(force = false): void {
    for (const id of this.shownIds) this.fitSession(id, force);
  }

  fitSession(id: string, force: boolean): void {
    const term = this.#views.terminal(id);
    const info = this.#store.byId(id);
    if (!term || !info) return;
    // A tile restored beside the active one opens here, once its element is in the page.
    if (term.element.isConnected) term.open();
    const changed = term.fit();
    const cols = term.terminal.cols;
    const rows = term.terminal.rows;
    if (!isLiveStatus(info.status) || this.#people.readOnly(id)) return;
    if (changed || (force && (cols !== info.cols || rows !== info.rows))) {
      this.#conn.send({ type: "resize", session: id, cols, rows });
    }
  }

  #evict(): void {
    while (this.#store.openIds.length > MAX_OPEN_TERMINALS) {
      const victim = this.#store.recent.find((id) => !this.isShown(id));
      if (!victim) return;
      this.closeView(victim);
    }
  }
}

/** The NAME of a `#session=NAME` address, or null; a malformed escape is taken as typed. */
function linkedSessionName(hash: string): string | null {
  if (!hash.startsWith("#session=")) return null;
  const raw = hash.slice("#session=".length);
  if (!raw) return null;
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}
