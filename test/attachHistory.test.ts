/**
 * Older output in `dispatch attach`: in a real PTY, the prefix then `h` opens a pager over the
 * session's stored log; paging up reads older pages from the hub back to the first line, and
 * `q` returns to the live session.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

const COLS = 100;
const ROWS = 30;
const LINES = 3000;
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
    const script = `seq -f old-%g 1 ${LINES}; echo all-printed; sleep 600`;
    const created = await hub.cli(["new", "--name", "hist", "--", "sh", "-c", script]);
    expect(created.code, created.stderr).toBe(0);
    await waitFor(async () => (await hub.cli(["logs", "hist"])).stdout.includes("all-printed"), {
      message: "the output stored",
    });

    const tty = dispatchInPty(["attach", "hist"], { env: hub.env, cols: COLS, rows: ROWS });
    const term = tty.pty;
    const shows = (check: (r: string[]) => boolean, message: string, poke?: () => void) =>
      screenShows(tty, check, message, poke ? { poke } : {});

    await shows(
      (r) => r.some((line) => line === "all-printed") && (r[ROWS - 1] ?? "").includes("[hist]"),
      "attached",
    );
    term.write("\x1dh");
    let shown = await shows(
      (r) => (r[ROWS - 1] ?? "").includes("history of hist: lines") && r.includes("all-printed"),
      "the history view at the newest line",
    );
    expect(shown[ROWS - 2]).toBe("all-printed");

    // Each `g` goes to the top of what is loaded and reads the page before it.
    shown = await shows(
      (r) => r[0] === "── start of the stored output ──",
      "the start of the log",
      () => term.write("g"),
    );
    expect(shown[1]).toBe("old-1");
    expect(shown[2]).toBe("old-2");
    // A page is the screen less the bottom row: the start mark and old-1..28 scroll off.
    term.write("\x1b[6~");
    await shows((r) => r[0] === `old-${ROWS - 1}`, "one page down");

    term.write("q");
    await shows(
      (r) => r.some((line) => line === "all-printed") && (r[ROWS - 1] ?? "").includes("[hist]"),
      "back in the session",
    );
    expect((await tty.screen()).some((line) => line === "old-1")).toBe(false);
    term.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);
});
