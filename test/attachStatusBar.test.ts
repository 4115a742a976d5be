/**
 * The status bar of `dispatch attach` across window resizes, through a real PTY mirrored on a
 * headless terminal: after the window shrinks or grows with the cursor on the session's bottom
 * row, and after attaching to a session whose screen is taller than the window, new output
 * scrolls above the bar, and the bar stays whole on the last row.
 */
import type headless from "@xterm/headless";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, type Tty } from "./tty.js";

const COLS = 90;
const ROWS = 15;
/** How long a screen may take to show what a test waits for. */
const SCREEN_TIMEOUT_MS = 10_000;
let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => closeTtys());

afterAll(async () => {
  await cleanupAll();
});

async function shellSession(name: string): Promise<void> {
  const created = await hub.cli(["new", "--name", name, "--", "/bin/sh"]);
  expect(created.code, created.stderr).toBe(0);
  await hub.cli(["send", name, "--enter", "echo ready-$((40+2))"]);
  // The stored output through the API, polled: not `dispatch logs` (a Node boot a try).
  await waitFor(async () => (await storedOutput(hub, name)).includes("ready-42"), {
    message: `${name} ready`,
  });
}

/** The visible rows at the terminal's current size, once everything printed so far is applied. */
async function visibleRows(tty: Tty): Promise<string[]> {
  await tty.screen();
  const { terminal } = tty;
  const buffer = terminal.buffer.active;
  return Array.from(
    { length: terminal.rows },
    (_, y) => buffer.getLine(buffer.viewportY + y)?.translateToString(true) ?? "",
  );
}

/** The scroll region (0-based rows) and the cursor row; xterm keeps the region internal. */
function regionAndCursor(terminal: headless.Terminal): { region: [number, number]; cursorRow: number } {
  const buffer = (terminal as unknown as { _core: { buffer: { scrollTop: number; scrollBottom: number } } })
    ._core.buffer;
  return { region: [buffer.scrollTop, buffer.scrollBottom], cursorRow: terminal.buffer.active.cursorY };
}

async function screenShows(tty: Tty, check: (rows: string[]) => boolean, message: string): Promise<string[]> {
  let last: string[] = [];
  try {
    return await waitFor(
      async () => {
        last = await visibleRows(tty);
        return check(last) ? last : undefined;
      },
      { timeoutMs: SCREEN_TIMEOUT_MS, message },
    );
  } catch (err) {
    throw new Error(`${(err as Error).message}\nscreen:\n${last.map((row) => `|${row}`).join("\n")}`);
  }
}

/** The shell's prompt (`#` for root). */
const PROMPT = /^[$#] ?$/;
const isPrompt = (row: string | undefined) => PROMPT.test(row ?? "");
const barOn = (rows: string[], name: string) => (rows.at(-1) ?? "").startsWith(` [${name}] · `);

/**
 * Resizes like a terminal window: the emulator's screen first (a shrink keeps the cursor's row
 * on the bottom one), then the PTY, which signals the client; waits for the bar on the new last row.
 */
async function resizeWindow(tty: Tty, name: string, rows: number): Promise<void> {
  await tty.screen();
  tty.terminal.resize(COLS, rows);
  tty.pty.resize(COLS, rows);
  await screenShows(tty, (shown) => shown.length === rows && barOn(shown, name), `the bar on row ${rows}`);
}

/** Prints 1..`upTo` in the session, filling its rows: the cursor ends on the last row above the bar. */
async function fillRows(tty: Tty, name: string, upTo: number): Promise<void> {
  tty.pty.write(`seq 1 ${upTo}\r`);
  await screenShows(
    tty,
    (rows) => rows.at(-3) === String(upTo) && isPrompt(rows.at(-2)) && barOn(rows, name),
    `seq's output down to the row above the bar`,
  );
  expect(regionAndCursor(tty.terminal).cursorRow).toBe(tty.terminal.rows - 2);
}

/**
 * Prints a line in the session and waits for it on the screen, whole, between its command and
 * the next prompt, with the bar whole on the last row and nowhere else; then the cursor is on
 * the prompt's row, inside the region above the bar. Returns the line's row (0-based).
 */
async function printLine(tty: Tty, name: string, marker: string): Promise<number> {
  tty.pty.write(`echo ${marker}-$((40+2))\r`);
  const rows = tty.terminal.rows;
  const shown = await screenShows(
    tty,
    (shown) => {
      const at = shown.indexOf(`${marker}-42`);
      return (
        at > 0 &&
        isPrompt(shown[at - 1]?.replace(`echo ${marker}-$((40+2))`, "")) &&
        isPrompt(shown[at + 1]) &&
        barOn(shown, name) &&
        shown.filter((row) => row.includes(`[${name}]`)).length === 1
      );
    },
    `${marker} printed above the bar on a ${rows}-row screen`,
  );
  const at = shown.indexOf(`${marker}-42`);
  expect(regionAndCursor(tty.terminal)).toEqual({ region: [0, rows - 2], cursorRow: at + 1 });
  return at;
}

async function detach(tty: Tty): Promise<void> {
  tty.pty.write("\x1c");
  expect(await tty.rc).toBe(0);
}

describe("dispatch attach: the status bar across resizes", () => {
  it("keeps output scrolling above the bar after the window shrinks and grows with the cursor on the bottom row", async () => {
    await shellSession("resized");
    const tty = dispatchInPty(["attach", "resized"], { env: hub.env, cols: COLS, rows: ROWS });
    await screenShows(tty, (rows) => rows.includes("ready-42") && barOn(rows, "resized"), "attached");

    await fillRows(tty, "resized", 30);
    expect(await printLine(tty, "resized", "FULL")).toBe(ROWS - 3);

    // The cursor on the bottom row above the bar: the terminal keeps it on its new bottom row.
    await resizeWindow(tty, "resized", ROWS - 3);
    expect(await printLine(tty, "resized", "SHRUNK")).toBe(ROWS - 3 - 3);
    expect(await printLine(tty, "resized", "AGAIN")).toBe(ROWS - 3 - 3);

    // This terminal keeps the top in place: the cursor stays, new rows come below it.
    await resizeWindow(tty, "resized", ROWS + 3);
    await printLine(tty, "resized", "GROWN");
    await fillRows(tty, "resized", 31);
    expect(await printLine(tty, "resized", "FILLED")).toBe(ROWS + 3 - 3);
    await detach(tty);
  });

  it("keeps output scrolling above the bar after attaching to a screen taller than the window", async () => {
    await shellSession("taller");
    const size = JSON.parse((await hub.cli(["ls", "--json"])).stdout) as { name: string; rows: number }[];
    // Created without a terminal: the session is taller than the window it is attached from.
    expect(size.find((s) => s.name === "taller")?.rows).toBeGreaterThan(ROWS);
    await hub.cli(["send", "taller", "--enter", "seq 1 40"]);
    await waitFor(async () => /\n40\r?\n[$#] $/.test(await storedOutput(hub, "taller")), {
      message: "seq's output, down to the session's bottom row",
    });

    const tty = dispatchInPty(["attach", "taller"], { env: hub.env, cols: COLS, rows: ROWS });
    await screenShows(
      tty,
      (rows) => rows.at(-3) === "40" && isPrompt(rows.at(-2)) && barOn(rows, "taller"),
      "the session's screen above the bar",
    );
    expect(await printLine(tty, "taller", "ATTACHED")).toBe(ROWS - 3);
    await detach(tty);
  });
});
