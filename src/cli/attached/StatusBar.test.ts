import headless from "@xterm/headless";
import { describe, expect, it } from "vitest";
import type { SessionInfo } from "../../protocol/session.js";
import { DISTURBS_STATUS_BAR, reserveStatusRow, statusBarText } from "./StatusBar.js";

const base = { kind: "terminal", host: "local", lastSeq: 5 } as const;
const a = { ...base, id: "a", name: "alpha" } as SessionInfo;
const b = { ...base, id: "b", name: "beta" } as SessionInfo;

describe("status bar", () => {
  it("names the session, its host, the count and the unread ones, exactly cols wide", () => {
    const text = statusBarText(
      { current: a, sessions: [a, b], isUnread: () => true, hint: "Ctrl-] ? help" },
      80,
    );
    expect(text).toHaveLength(80);
    expect(text).toContain("[alpha] · local · 2 sessions · unread: beta");
    expect(text.trimEnd().endsWith("Ctrl-] ? help")).toBe(true);
  });

  it("says when the session's host is away, as keys typed then go nowhere", () => {
    const away = { ...a, host: "gpu", status: "running", reachable: false } as SessionInfo;
    const text = statusBarText({ current: away, sessions: [away], isUnread: () => false, hint: "" }, 80);
    expect(text).toContain("[alpha] · gpu away: what you type waits for it · 1 session");
    const back = { ...away, reachable: true } as SessionInfo;
    expect(statusBarText({ current: back, sessions: [back], isUnread: () => false, hint: "" }, 80)).toContain(
      "[alpha] · gpu · 1 session",
    );
  });

  it("marks a session this client may only watch", () => {
    const text = statusBarText(
      { current: a, sessions: [a], isUnread: () => false, hint: "", readOnly: true },
      80,
    );
    expect(text).toContain("[alpha] · local · read-only · 1 session");
  });

  it("shows a prompt instead", () => {
    const text = statusBarText(
      { current: a, sessions: [a], isUnread: () => false, hint: "", prompt: "rename" },
      20,
    );
    expect(text).toBe(" rename".padEnd(20));
  });

  it("spots output that resets the scroll region or clears the screen", () => {
    expect(DISTURBS_STATUS_BAR.test("\x1b[r")).toBe(true);
    expect(DISTURBS_STATUS_BAR.test("\x1b[2J")).toBe(true);
    expect(DISTURBS_STATUS_BAR.test("\x1b[?1049h")).toBe(true);
    expect(DISTURBS_STATUS_BAR.test("hello\r\n")).toBe(false);
  });
});

const ROWS = 6;

/** A terminal of ROWS rows after `written`: its rows, cursor (0-based) and scroll region. */
async function terminalAfter(...written: string[]) {
  const terminal = new headless.Terminal({ cols: 20, rows: ROWS, allowProposedApi: true });
  for (const data of written) await new Promise<void>((resolve) => terminal.write(data, resolve));
  const buffer = terminal.buffer.active;
  const rows = Array.from({ length: ROWS }, (_, y) =>
    buffer.getLine(buffer.viewportY + y)?.translateToString(true),
  );
  const core = (terminal as unknown as { _core: { buffer: { scrollTop: number; scrollBottom: number } } })
    ._core;
  const state = {
    rows,
    cursor: [buffer.cursorY, buffer.cursorX],
    region: [core.buffer.scrollTop, core.buffer.scrollBottom],
  };
  terminal.dispose();
  return state;
}

/** Rows 1..n, the cursor after the last one's text. */
const lines = (n: number) => Array.from({ length: n }, (_, i) => `line ${i + 1}`).join("\r\n");

describe("reserving the status row", () => {
  it("leaves a cursor above the bar's row where it is", async () => {
    const state = await terminalAfter(lines(3), reserveStatusRow(ROWS));
    expect(state.cursor).toEqual([2, 6]);
    expect(state.region).toEqual([0, ROWS - 2]);
    expect(state.rows.slice(0, 3)).toEqual(["line 1", "line 2", "line 3"]);
    const onLastRegionRow = await terminalAfter(lines(ROWS - 1), reserveStatusRow(ROWS));
    expect(onLastRegionRow.cursor).toEqual([ROWS - 2, 6]);
    expect(onLastRegionRow.rows[0]).toBe("line 1");
  });

  it("moves a cursor on the bar's row into the region, its line with it, so line feeds scroll again", async () => {
    // A terminal that shrank with the cursor on its bottom row: that row is the bar's now.
    const state = await terminalAfter(lines(ROWS), reserveStatusRow(ROWS), "\r\nnext");
    expect(state.region).toEqual([0, ROWS - 2]);
    expect(state.cursor).toEqual([ROWS - 2, 4]);
    expect(state.rows).toEqual(["line 3", "line 4", "line 5", "line 6", "next", ""]);
  });

  it("clears an old bar left below the cursor once the window grew, and nothing above it", async () => {
    const oldBar = `\x1b7\x1b[5;1H[old bar]\x1b8`;
    const state = await terminalAfter(lines(3), oldBar, reserveStatusRow(ROWS, { grew: true }));
    expect(state.rows).toEqual(["line 1", "line 2", "line 3", "", "", ""]);
    expect(state.cursor).toEqual([2, 6]);
    expect(state.region).toEqual([0, ROWS - 2]);
  });
});
