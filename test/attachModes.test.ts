/**
 * The modes a full-screen program switches on in the terminal (mouse reports, application cursor
 * keys, bracketed paste, the alternate screen) belong to its session: through a real PTY
 * mirrored on a headless terminal, leaving it for the picker or another session switches them
 * off, and coming back switches them on again, as running the programs one after the other would.
 */
import type headless from "@xterm/headless";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, screenShows } from "./tty.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterEach(() => closeTtys());

afterAll(async () => {
  await cleanupAll();
});

/** What the terminal does with a click, an arrow key and a paste, and which screen it shows. */
function modes(terminal: headless.Terminal) {
  const { mouseTrackingMode, applicationCursorKeysMode, bracketedPasteMode } = terminal.modes;
  return {
    mouse: mouseTrackingMode,
    applicationCursor: applicationCursorKeysMode,
    bracketedPaste: bracketedPasteMode,
    screen: terminal.buffer.active.type,
  };
}

/** Whether the picker lists the session `name`. */
const listed = (rows: string[], name: string) =>
  rows.some((row) => new RegExp(`^\\s*●?\\s*${name}\\s`).test(row));

const FULL_SCREEN = { mouse: "drag", applicationCursor: true, bracketedPaste: true, screen: "alternate" };
const PLAIN = { mouse: "none", applicationCursor: false, bracketedPaste: false, screen: "normal" };
/** The picker and the help draw on the alternate screen, with plain keys. */
const PICKER = { ...PLAIN, screen: "alternate" };

describe("dispatch attach: a full-screen program's terminal modes", () => {
  it("are off in the picker, the help and another session, and on again back in its session", async () => {
    // vim with `mouse=a` switches on what this does (and draws its screen on the alternate one).
    const app = String.raw`printf '\033[?1049h\033[?1h\033[?2004h\033[?1002h\033[?1006hFULL-%s' SCREEN; exec sleep 600`;
    const created = await hub.cli(["new", "--name", "tui", "--", "/bin/sh", "-c", app]);
    expect(created.code, created.stderr).toBe(0);
    expect((await hub.cli(["new", "--name", "zen", "--", "/bin/sh"])).code).toBe(0);
    await hub.cli(["send", "zen", "--enter", "echo zen-$((40+2))"]);
    // The stored output through the API, polled: not `dispatch logs` (a Node boot a try).
    await waitFor(async () => (await storedOutput(hub, "tui")).includes("FULL-SCREEN"), {
      message: "app's screen",
    });

    const tty = dispatchInPty(["attach", "tui"], { env: hub.env, cols: 80, rows: 20 });
    const shows = async (text: string, expected: typeof PLAIN, what: string) => {
      await screenShows(tty, (rows) => rows.some((row) => row.includes(text)), what);
      await waitFor(() => JSON.stringify(modes(tty.terminal)) === JSON.stringify(expected), {
        timeoutMs: 30_000,
        message: `${what}: modes ${JSON.stringify(expected)}`,
      }).catch(() => expect(modes(tty.terminal), what).toEqual(expected));
    };
    await shows("FULL-SCREEN", FULL_SCREEN, "app's screen with its modes on");

    // The prefix key (Ctrl-]) then `s`: the picker, reading keys, not mouse reports.
    tty.pty.write("\x1ds");
    await shows("Enter attach", PICKER, "the picker with app's modes off");

    tty.pty.write("ze");
    await screenShows(tty, (rows) => listed(rows, "zen") && !listed(rows, "tui"), "zen alone in the list");
    tty.pty.write("\r");
    await shows("zen-42", PLAIN, "the plain shell with app's modes off");

    tty.pty.write("\x1ds");
    await shows("Enter attach", PICKER, "the picker again");
    tty.pty.write("tu");
    await screenShows(tty, (rows) => listed(rows, "tui") && !listed(rows, "zen"), "tui alone in the list");
    tty.pty.write("\r");
    await shows("FULL-SCREEN", FULL_SCREEN, "app's screen with its modes on again");

    // The keys' help (prefix, `?`) reads plain keys too; any key goes back to the session.
    tty.pty.write("\x1d?");
    await shows("press any key", PICKER, "the help with app's modes off");
    tty.pty.write("q");
    await shows("FULL-SCREEN", FULL_SCREEN, "app's screen back after the help");

    // Straight to the next session (prefix, `]`), with no picker in between.
    tty.pty.write("\x1d]");
    await shows("zen-42", PLAIN, "the next session with app's modes off");

    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 60_000);
});

describe("dispatch attach: what a program left set mid-drawing", () => {
  it("re-attached, a box goes on in line-drawing characters, and a restored cursor in its saved colours", async () => {
    // Draws a box's top in DEC special graphics and saves the cursor (bold red) below it; once a
    // key comes, the bottom in the same mode, then back to the saved cursor to draw a side.
    const app = String.raw`stty -echo; printf '\033(0lqqk\r\n\033[4;1H\033[1;31m\0337\033[0m\033[6;1HREADY\033[2;1H'; read x; printf 'mqqj\0338x'; exec sleep 600`;
    const created = await hub.cli(["new", "--name", "box", "--", "/bin/sh", "-c", app]);
    expect(created.code, created.stderr).toBe(0);
    const attach = () =>
      dispatchInPty(["attach", "box", "--no-status-bar"], { env: hub.env, cols: 40, rows: 10 });
    const first = attach();
    await screenShows(first, (rows) => rows[5] === "READY" && rows[0] === "┌──┐", "the box's top");
    first.pty.write("\x1c");
    expect(await first.rc).toBe(0);

    const again = attach();
    await screenShows(again, (rows) => rows[5] === "READY", "the box's top again");
    again.pty.write("\r");
    const rows = await screenShows(again, (rows) => rows[3] !== "", "the program's drawing after the key");
    expect(rows.slice(0, 4)).toEqual(["┌──┐", "└──┘", "", "│"]);
    const side = again.terminal.buffer.active.getLine(again.terminal.buffer.active.viewportY + 3)?.getCell(0);
    expect([side?.isBold() !== 0, side?.getFgColor()]).toEqual([true, 1]);
    again.pty.write("\x1c");
    expect(await again.rc).toBe(0);
  }, 60_000);
});
