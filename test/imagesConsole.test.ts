/**
 * The workspace REPL at `dispatch attach`, on Debian's ipykernel, as the person at the terminal
 * sees it: Tab completes from the kernel (one match typed, several listed), and says the
 * kernel is busy instead of hanging while a cell runs; Up brings back cells run here and by
 * other clients; a line longer than the terminal is wide is edited in place, wrapped at the
 * attached terminal's width. One kernel for the file.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows, type Tty } from "./tty.js";

let hub: HubHandle;

async function options(): Promise<{ connection?: string; execution?: string }> {
  const response = await hub.api("/api/sessions/py");
  return ((await response.json()) as { session: { options: { connection?: string; execution?: string } } })
    .session.options;
}

beforeAll(async () => {
  hub = await startHub();
  const created = await hub.cli(["new", "--kernel", "python3", "--name", "py"]);
  expect(created.code, created.stderr).toBe(0);
  await waitFor(async () => (await options()).connection === "connected", {
    timeoutMs: 30_000,
    message: "the kernel connected",
  });
  // The kernel's first completion loads its completer (jedi), seconds on a loaded machine;
  // asked here without a deadline, so the console's Tab is not what waits for it.
  const warm = await fetch(`${hub.url}/api/sessions/py/commands/complete`, {
    method: "POST",
    headers: { authorization: `Bearer ${hub.key}`, "content-type": "application/json" },
    body: JSON.stringify({ code: "import os; os.path.expandu" }),
  });
  expect(warm.status).toBe(200);
});

afterAll(async () => {
  closeTtys();
  await cleanupAll();
});

/** Waits for the screen (rows without trailing blanks) to pass `check`. */
function shows(tty: Tty, check: (rows: string[]) => boolean, message: string) {
  return screenShows(tty, (rows) => check(rows.map((row) => row.trimEnd())), message);
}

/**
 * Waits for the row the cursor is on to read `line`: the line being typed, told from the same
 * text in the transcript above it.
 */
function typing(tty: Tty, line: string, message: string) {
  return shows(tty, (rows) => rows[tty.terminal.buffer.active.cursorY] === line, message);
}

describe("the workspace console at `dispatch attach`", { timeout: 120_000 }, () => {
  it("completes with Tab, brings back cells with Up, and edits a line wider than the terminal", async () => {
    const tty = dispatchInPty(["attach", "py"], { env: hub.env, cols: 60, rows: 16 });
    await shows(tty, (rows) => rows.some((row) => row.includes("[py]")), "attached");

    tty.pty.write("import os; print('imported')\r");
    await shows(tty, (rows) => rows.includes("imported"), "the cell ran");
    // Tab asks only an idle kernel (a running cell would hold the answer back).
    await waitFor(async () => (await options()).execution === "idle", { message: "the kernel idle again" });
    tty.pty.write("os.path.expandu\t");
    await typing(tty, "In: os.path.expanduser", "the one match typed");
    tty.pty.write("\x15os.getcw\t");
    await typing(tty, "In: os.getcwd", "the common start of several matches typed");
    const listed = await tty.screen();
    const cursorY = tty.terminal.buffer.active.cursorY;
    expect(listed[cursorY - 1]).toMatch(/^getcwd +getcwdb\s*$/);
    // The half-typed line was taken off before the list, not left above it.
    expect(listed.filter((row) => row.startsWith("In: os.getcw")).length).toBe(1);

    // A cell another client ran comes back with Up, then the one typed here.
    tty.pty.write("\x15");
    const evaluated = await hub.cli(["eval", "py", "z = 41"]);
    expect(evaluated.code, evaluated.stderr).toBe(0);
    tty.pty.write("\x1b[A");
    await typing(tty, "In: z = 41", "the other client's cell");
    tty.pty.write("\x1b[A");
    await typing(tty, "In: import os; print('imported')", "the cell typed here");

    // 4 columns of prompt and 64 typed: two rows of 60 columns; a key at the start draws both again.
    const long = `s = '${"a".repeat(58)}'`;
    tty.pty.write(`\x15${long}\x01t`);
    const wrapped = await typing(
      tty,
      `In: ts = '${"a".repeat(50)}`,
      "the long line drawn again from its start",
    );
    const row = tty.terminal.buffer.active.cursorY;
    expect(wrapped[row + 1]?.trimEnd()).toBe("aaaaaaaa'");
    expect(tty.terminal.buffer.active.cursorX).toBe(5);
    // Nothing of the line as it was before is left on the screen.
    expect(wrapped.filter((line) => line.includes("aaaaaaa")).length).toBe(2);

    // Tab while a cell runs says so at once instead of waiting behind it.
    tty.pty.write("\x15import time; time.sleep(60)\r");
    await waitFor(async () => (await options()).execution === "busy", { message: "the cell runs" });
    tty.pty.write("os.pa\t");
    await shows(
      tty,
      (rows) => {
        const y = tty.terminal.buffer.active.cursorY;
        return (
          rows[y] === "In: os.pa" &&
          rows
            .slice(y - 2, y)
            .join("")
            .includes("the kernel is busy running a cell")
        );
      },
      "the busy kernel said above the line, which is kept",
    );
    tty.pty.write("\x03");
    await waitFor(async () => (await options()).execution === "idle", { message: "the cell interrupted" });
  });
});
