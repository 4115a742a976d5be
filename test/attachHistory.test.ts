/**
 * Older output in `dispatch attach`: in a real PTY, the prefix then `h` opens a pager over the
 * session's stored log; paging up reads older pages from the hub back to the first line, and
 * `q` returns to the live session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

const COLS = 100;
const ROWS = 30;
const LINES = 3000;
const START_MARK = "── start of the stored output ──";
let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  closeTtys();
  await cleanupAll();
});

describe("dispatch attach: older output", () => {
  it("prefix h pages back through the stored log to its first line, q returns to the session", async () => {
    // Made through the API, not `dispatch new`: on a loaded machine each CLI start costs seconds.
    const created = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name: "hist",
        command: ["sh", "-c", `seq -f old-%g 1 ${LINES}; echo all-printed; sleep 600`],
      }),
    });
    expect(created.status, await created.clone().text()).toBe(201);

    const tty = dispatchInPty(["attach", "hist"], { env: hub.env, cols: COLS, rows: ROWS });
    const term = tty.pty;
    const shows = (check: (r: string[]) => boolean, message: string, poke?: () => void) =>
      screenShows(tty, check, message, poke ? { poke } : {});
    const inSession = (r: string[]) =>
      r.some((line) => line === "all-printed") && (r[ROWS - 1] ?? "").includes("[hist]");

    // The last line on the screen: everything printed is stored, as the hub stores before it sends.
    await shows(inSession, "attached");
    // The prefix, `h` and `g` typed at once: the `g` reaches the pager while its first page is
    // still on the way from the hub, and is not lost (it moves to the top of what is loaded).
    term.write("\x1dhg");
    const loaded = await shows(
      (r) => /history of hist: lines [1-9]/.test(r[ROWS - 1] ?? ""),
      "the history view with its first page",
    );
    expect(loaded).not.toContain("all-printed");

    // Each `g` goes to the top of what is loaded and reads the page before it.
    const start = await shows(
      (r) => r[0] === START_MARK,
      "the start of the log",
      () => term.write("g"),
    );
    expect(start.slice(1, 3)).toEqual(["old-1", "old-2"]);
    // `G`: the newest line, the last one the session printed, above the bottom row.
    term.write("G");
    await shows((r) => r[ROWS - 2] === "all-printed" && !r.includes(START_MARK), "the end of the log");

    term.write("q");
    await shows(inSession, "back in the session");
    expect((await tty.screen()).some((line) => line === "old-1")).toBe(false);
    term.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);
});
