/**
 * What the page remembers across reloads, in localStorage: the open terminals, the active
 * one and the tiles shown side by side, how much of each session the user has seen (unread markers), and whether this browser
 * has logged in (so a fresh visit shows the login form without a request doomed to 401).
 * Nothing secret: the login itself is an HttpOnly cookie.
 */

const VIEW_KEY = "dispatch:view";
const SEEN_KEY = "dispatch:seen";
const LOGGED_IN_KEY = "dispatch:logged-in";
const PROJECT_KEY = "dispatch:project";

export interface ViewState {
  open: string[];
  active: string | null;
  /** Sessions shown side by side (tiles), the active one among them; empty: one view. */
  tiles: string[];
}

function read<T>(key: string, fallback: T): T {
  try {
    const raw = localStorage.getItem(key);
    return raw === null ? fallback : (JSON.parse(raw) as T);
  } catch {
    // Corrupt or blocked storage: start fresh rather than fail to load the UI.
    return fallback;
  }
}

function write(key: string, value: unknown): void {
  try {
    localStorage.setItem(key, JSON.stringify(value));
  } catch {
    // Storage full or disabled (private mode): the view just is not restored on reload.
  }
}

export function loadView(): ViewState {
  const view = read<Partial<ViewState>>(VIEW_KEY, {});
  return {
    open: Array.isArray(view.open) ? view.open.filter((id) => typeof id === "string") : [],
    active: typeof view.active === "string" ? view.active : null,
    tiles: Array.isArray(view.tiles) ? view.tiles.filter((id) => typeof id === "string") : [],
  };
}

export function saveView(view: ViewState): void {
  write(VIEW_KEY, view);
}

export function loadSeen(): Record<string, number> {
  return read<Record<string, number>>(SEEN_KEY, {});
}

export function saveSeen(seen: Record<string, number>): void {
  write(SEEN_KEY, seen);
}

export function rememberLogin(loggedIn: boolean): void {
  if (loggedIn) write(LOGGED_IN_KEY, true);
  else localStorage.removeItem(LOGGED_IN_KEY);
}

export function hasLoggedInBefore(): boolean {
  return read<boolean>(LOGGED_IN_KEY, false) === true;
}

const NOTIFY_KEY = "dispatch:notify";

/** Whether the user turned agent notifications on in this browser. */
export function loadNotify(): boolean {
  return read<boolean>(NOTIFY_KEY, false) === true;
}

export function saveNotify(on: boolean): void {
  write(NOTIFY_KEY, on);
}

/** The current project ("" for all sessions). */
export function loadProject(): string {
  const project = read<unknown>(PROJECT_KEY, "");
  return typeof project === "string" ? project : "";
}

export function saveProject(project: string): void {
  write(PROJECT_KEY, project);
}
