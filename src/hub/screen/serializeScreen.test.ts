/** A re-attached screen (vim, less, dialog) is drawn in its own colours. */
import serializeAddon from "@xterm/addon-serialize";
import headless from "@xterm/headless";
import { afterEach, expect, it } from "vitest";
import { serializeScreen } from "./serializeScreen.js";

const terminals: headless.Terminal[] = [];

afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.dispose();
});

function emulator(): headless.Terminal {
  const terminal = new headless.Terminal({ cols: 30, rows: 6, allowProposedApi: true, logLevel: "error" });
  terminals.push(terminal);
  return terminal;
}

const write = (terminal: headless.Terminal, data: string) =>
  new Promise<void>((resolve) => terminal.write(data, resolve));

/** Each visible cell's text, colours and weight. */
function cells(terminal: headless.Terminal): string[] {
  const buffer = terminal.buffer.active;
  const rows: string[] = [];
  for (let y = 0; y < terminal.rows; y++) {
    const line = buffer.getLine(y);
    let row = "";
    for (let x = 0; x < terminal.cols; x++) {
      const cell = line?.getCell(x);
      row += `${cell?.getChars() || " "}:${cell?.getFgColor()}/${cell?.getBgColor()}/${cell?.isBold()} `;
    }
    rows.push(row);
  }
  return rows;
}

it("draws the alternate screen in its cells' colours while the program's pen is bold or coloured", async () => {
  for (const pen of ["\x1b[1m", "\x1b[47m", "\x1b[38;5;196m"]) {
    const live = emulator();
    const serializer = new serializeAddon.SerializeAddon();
    live.loadAddon(serializer);
    await write(live, `shell$ vim\r\n\x1b[?1049h\x1b[Hplain text\r\n\x1b[7mvisual\x1b[0m${pen}`);
    const restored = emulator();
    await write(restored, serializeScreen(live, serializer, 100));
    expect(cells(restored)).toEqual(cells(live));
    // The pen comes back too: what the program prints next looks as it would have.
    await write(live, "next");
    await write(restored, "next");
    expect(cells(restored)).toEqual(cells(live));
  }
});

it("keeps the background of the blank rows below the last text (dialog's blue screen)", async () => {
  for (const [screen, colour] of [
    ["\x1b[?1049h", "\x1b[44m"],
    ["", "\x1b[48;5;24m"],
    ["\x1b[?1049h", "\x1b[48;2;10;20;30m"],
    ["\x1b[?1049h", "\x1b[103m"],
  ] as const) {
    const live = emulator();
    const serializer = new serializeAddon.SerializeAddon();
    live.loadAddon(serializer);
    // A coloured screen with a box near the top, the pen bold and the cursor in the box.
    await write(live, `${screen}${colour}\x1b[2J\x1b[2;3H\x1b[0;47m title \x1b[4;3H${colour}\x1b[1m`);
    const restored = emulator();
    await write(restored, serializeScreen(live, serializer, 100));
    expect(cells(restored)).toEqual(cells(live));
    // DECRC with nothing saved goes home, on both.
    await write(live, "next\x1b[6;1Hlast\x1b8home");
    await write(restored, "next\x1b[6;1Hlast\x1b8home");
    expect(cells(restored)).toEqual(cells(live));
  }
});

it("gives the shell back its pen and line drawing when vim leaves (the normal screen's saved cursor)", async () => {
  for (const set of ["\x1b(0", "\x1b(K"]) {
    const live = emulator();
    const serializer = new serializeAddon.SerializeAddon();
    live.loadAddon(serializer);
    // A program underlining in DEC special graphics (or German) starts vim, which draws in its own pen.
    await write(live, `\x1b[4;33m${set}\x1b[3;3H12\x1b[?1049h\x1b[0m\x1b(B\x1b[Hvim`);
    const restored = emulator();
    await write(restored, serializeScreen(live, serializer, 100));
    await write(live, "\x1b[?1049lq[");
    await write(restored, "\x1b[?1049lq[");
    expect(live.buffer.active.getLine(2)?.translateToString(true)).toBe(
      set === "\x1b(0" ? "  12─[" : "  12qÄ",
    );
    expect(cells(restored)).toEqual(cells(live));
    const underlined = (terminal: headless.Terminal) =>
      terminal.buffer.active.getLine(2)?.getCell(4)?.isUnderline();
    expect(underlined(live)).toBeTruthy();
    expect(underlined(restored)).toBe(underlined(live));
  }
});
