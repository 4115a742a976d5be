/**
 * A read-only window into the page for end-to-end tests and benchmarks: the text a terminal
 * holds (scrollback included) and the last seq it applied. Nothing here changes state.
 */
import type { Workspace } from "./workspace.svelte.js";

export interface DispatchDebug {
  /** Every line of the session's terminal buffer (trailing blanks trimmed), or null if not open. */
  lines(session: string): string[] | null;
  /** The characters of each cell of buffer line `line` ("" for the cell a wide character covers). */
  cells(session: string, line: number): string[] | null;
  lastSeq(session: string): number | null;
  /** The terminal's selected text (search results select their line). */
  selection(session: string): string | null;
  /** The first buffer line in view, and whether older output is stored than the terminal holds. */
  scroll(session: string): { top: number; hasOlder: boolean } | null;
  renderer(session: string): string | null;
  /** The terminal's size in cells, or null if not open. */
  size(session: string): { cols: number; rows: number } | null;
  /** The size a fit to its box would give now; equal to `size` once the page's layout settled. */
  proposed(session: string): { cols: number; rows: number } | null;
  connection(): string;
  /** The role this page is signed in with (from `/api/me`); null until known. */
  role(): string | null;
}

declare global {
  interface Window {
    __dispatch?: DispatchDebug;
  }
}

export function exposeDebug(workspace: Workspace): void {
  const term = (ref: string) => {
    const info = workspace.store.find(ref);
    return info ? workspace.views.terminal(info.id) : undefined;
  };
  window.__dispatch = {
    lines(session) {
      const t = term(session);
      if (!t) return null;
      const buffer = t.terminal.buffer.active;
      const out: string[] = [];
      for (let i = 0; i < buffer.length; i++) out.push(buffer.getLine(i)?.translateToString(true) ?? "");
      while (out.length > 0 && out.at(-1) === "") out.pop();
      return out;
    },
    cells(session, line) {
      const row = term(session)?.terminal.buffer.active.getLine(line);
      if (!row) return null;
      const out: string[] = [];
      for (let x = 0; x < row.length; x++) out.push(row.getCell(x)?.getChars() ?? "");
      return out;
    },
    scroll(session) {
      const t = term(session);
      return t ? { top: t.terminal.buffer.active.viewportY, hasOlder: t.hasOlder } : null;
    },
    selection: (session) => term(session)?.terminal.getSelection() ?? null,
    lastSeq: (session) => term(session)?.lastSeq ?? null,
    renderer: (session) => term(session)?.renderer ?? null,
    size(session) {
      const t = term(session);
      return t ? { cols: t.terminal.cols, rows: t.terminal.rows } : null;
    },
    proposed: (session) => term(session)?.proposed() ?? null,
    connection: () => workspace.connection.state,
    role: () => workspace.people.principal?.role ?? null,
  };
}
