/**
 * An idle session's preview is read from its stored snapshot without an emulator: it must read
 * the lines the screen shows, as the worker's emulator does (`screenRows`).
 */
import serializeAddon from "@xterm/addon-serialize";
import unicode11Addon from "@xterm/addon-unicode11";
import headless from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { screenRows } from "./screenRows.js";
import { serializeScreen } from "./serializeScreen.js";
import { snapshotRows } from "./snapshotRows.js";

/** The lines the screen shows after `output`, and those read from its snapshot. */
async function bothReads(output: string, count: number): Promise<[string[], string[]]> {
  const terminal = new headless.Terminal({ cols: 40, rows: 6, scrollback: 100, allowProposedApi: true });
  const serializer = new serializeAddon.SerializeAddon();
  terminal.loadAddon(serializer);
  terminal.loadAddon(new unicode11Addon.Unicode11Addon());
  terminal.unicode.activeVersion = "11";
  await new Promise<void>((resolve) => terminal.write(output, resolve));
  const screen = serializeScreen(terminal, serializer, 100);
  const reads: [string[], string[]] = [
    screenRows(terminal, count),
    snapshotRows(screen, count, terminal.rows),
  ];
  terminal.dispose();
  return reads;
}

describe("snapshotRows", () => {
  it("reads the lines the screen shows, as its emulator does", async () => {
    const outputs = [
      // vim's ruler redrawn in part, on the alternate screen over a shell's scrollback.
      `${"$ ls\r\nfile\r\n".repeat(20)}\x1b[?1049h\x1b[H\x1b[2Jtext\x1b[6;20H300,1\x1b[9CBot\x1b[6;20H15\x1b[6;34H49%`,
      // A shell: scrollback, a long line wrapped, a prompt with the cursor after it, rows below blank.
      `${"line\r\n".repeat(30)}${"x".repeat(70)}\r\n\x1b[1;32m中文 ok\x1b[0m\r\n$ `,
      // A progress bar redrawn in place, a saved cursor and a scroll region after it.
      "copying 10%\rcopying 99%\r\n\x1b[2;5r\x1b7\x1b[3;1Hdone\x1b8",
    ];
    for (const output of outputs) {
      const [shown, read] = await bothReads(output, 5);
      expect(read, JSON.stringify(output)).toEqual(shown);
    }
    const [vim] = await bothReads(outputs[0] as string, 5);
    expect(vim[vim.length - 1]).toBe(`${" ".repeat(19)}150,1         49%`);
  });
});
