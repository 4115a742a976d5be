/**
 * A snapshot restores what a program set on the screen: a fresh terminal given the serialized
 * screen answers a program's questions (DECRQM) and jumps back (DECRC) as the live one does,
 * as after re-attaching mid-vim.
 */
import serializeAddon from "@xterm/addon-serialize";
import headless from "@xterm/headless";
import { afterEach, describe, expect, it } from "vitest";
import { serializeExtras } from "./serializeExtras.js";

const terminals: headless.Terminal[] = [];

afterEach(() => {
  for (const terminal of terminals.splice(0)) terminal.dispose();
});

function emulator(): headless.Terminal {
  const terminal = new headless.Terminal({ cols: 30, rows: 8, allowProposedApi: true, logLevel: "error" });
  terminals.push(terminal);
  return terminal;
}

const write = (terminal: headless.Terminal, data: string) =>
  new Promise<void>((resolve) => terminal.write(data, resolve));

/** The live screen after `output`, and one rebuilt from its snapshot. */
async function liveAndRestored(output: string): Promise<[headless.Terminal, headless.Terminal]> {
  const live = emulator();
  const serializer = new serializeAddon.SerializeAddon();
  live.loadAddon(serializer);
  await write(live, output);
  const restored = emulator();
  await write(restored, serializer.serialize() + serializeExtras(live));
  return [live, restored];
}

/** What the terminal answers when a program asks `query`. */
async function answer(terminal: headless.Terminal, query: string): Promise<string> {
  let reply = "";
  const listener = terminal.onData((data) => {
    reply += data;
  });
  await write(terminal, query);
  listener.dispose();
  return reply;
}

/** The visible rows as text. */
function rows(terminal: headless.Terminal): string[] {
  const buffer = terminal.buffer.active;
  return Array.from({ length: terminal.rows }, (_, y) => buffer.getLine(y)?.translateToString(true) ?? "");
}

describe("serializeExtras", () => {
  it("sets the title the program set, so a terminal attaching later shows it", async () => {
    const live = emulator();
    await write(live, "\x1b]2;old\x07\x1b]2;wide.txt (~/src) - VIM 漢字\x07text");
    const restored = emulator();
    let title = "";
    restored.onTitleChange((t) => {
      title = t;
    });
    await write(restored, serializeExtras(live));
    expect(title).toBe("wide.txt (~/src) - VIM 漢字");
    expect(serializeExtras(emulator())).toBe("");
  });

  it("keeps SGR mouse reports on, so a click reaches vim in the form it reads", async () => {
    const [live, restored] = await liveAndRestored("\x1b[?1049h\x1b[?1002h\x1b[?1006h~");
    const query = "\x1b[?1006$p";
    expect(await answer(live, query)).toBe("\x1b[?1006;1$y");
    expect(await answer(restored, query)).toBe(await answer(live, query));
  });

  it("keeps the application keypad as DECKPAM, the form tmux reads, and the other modes xterm keeps", async () => {
    // What vim and less send (smkx), with the rest xterm tracks, each on.
    const modes = "\x1b[?1h\x1b=\x1b[?2004h\x1b[?1003h\x1b[?1004h\x1b[4h\x1b[?45h\x1b[?7l";
    const live = emulator();
    const serializer = new serializeAddon.SerializeAddon();
    live.loadAddon(serializer);
    await write(live, `${modes}text`);
    // The addon writes the keypad as DECNKM (CSI ?66h) only, which tmux ignores.
    expect(serializeExtras(live)).toContain("\x1b=");
    const restored = emulator();
    await write(restored, serializer.serialize() + serializeExtras(live));
    expect(restored.modes).toEqual(live.modes);
    expect(live.modes).toMatchObject({
      applicationKeypadMode: true,
      mouseTrackingMode: "any",
      wraparoundMode: false,
    });
    await write(live, "\x1b>");
    expect(serializeExtras(live)).toBe("");
  });

  it("keeps the cursor's shape (vim's insert-mode bar)", async () => {
    // xterm answers DECRQSS from its options, not from DECSCUSR: the snapshot itself must carry it
    // to the terminal that draws the cursor.
    for (const shape of ["\x1b[5 q", "\x1b[4 q", "\x1b[2 q"]) {
      const live = emulator();
      await write(live, `-- INSERT --${shape}`);
      expect(serializeExtras(live)).toContain(shape);
    }
    const plain = emulator();
    await write(plain, "\x1b[5 q\x1b[0 q");
    expect(serializeExtras(plain)).toBe("");
  });

  it("keeps the saved cursor, and the cursor where it was", async () => {
    const [live, restored] = await liveAndRestored("prompt\x1b[3;5H\x1b7\x1b[6;2Hhere");
    await write(live, "X\x1b8S");
    await write(restored, "X\x1b8S");
    expect(rows(live)[2]).toBe("    S");
    expect(rows(restored)).toEqual(rows(live));
  });

  it("keeps DEC special graphics in use, so a box half drawn goes on in lines, not letters", async () => {
    const [live, restored] = await liveAndRestored("\x1b(0lqqk\r\n");
    await write(live, "mqqj");
    await write(restored, "mqqj");
    expect(rows(live).slice(0, 2)).toEqual(["┌──┐", "└──┘"]);
    expect(rows(restored)).toEqual(rows(live));
  });

  it("keeps a set shifted in with SO, and ASCII back after SI", async () => {
    const [live, restored] = await liveAndRestored("\x1b)0\x0eqq");
    await write(live, "x\x0fx");
    await write(restored, "x\x0fx");
    expect(rows(live)[0]).toBe("──│x");
    expect(rows(restored)).toEqual(rows(live));
  });

  it("keeps the pen and character set a saved cursor holds, and the current pen", async () => {
    const [live, restored] = await liveAndRestored(
      "\x1b[1;31;48;5;200m\x1b(0\x1b[2;3H\x1b7\x1b(B\x1b[0;32m\x1b[Hnow",
    );
    const after = "A\x1b8q";
    await write(live, after);
    await write(restored, after);
    expect(rows(live)[1]).toBe("  ─");
    expect(rows(restored)).toEqual(rows(live));
    const pen = (terminal: headless.Terminal, x: number, y: number) => {
      const cell = terminal.buffer.active.getLine(y)?.getCell(x);
      return [cell?.isBold() !== 0, cell?.getFgColor(), cell?.getBgColor(), cell?.isBgPalette()];
    };
    // The saved pen (bold red on 200) after DECRC; the current one (green) before it.
    expect(pen(live, 2, 1)).toEqual([true, 1, 200, true]);
    expect(pen(restored, 2, 1)).toEqual(pen(live, 2, 1));
    expect(pen(restored, 3, 0)).toEqual(pen(live, 3, 0));
    expect(pen(live, 3, 0)).toEqual([false, 2, -1, false]);
  });

  it("keeps national replacement sets designated, in use and in the saved cursor", async () => {
    // French saved with the cursor; then German in G1, shifted in.
    const [live, restored] = await liveAndRestored("\x1b(R\x1b[2;3H\x1b7\x1b(B\x1b)K\x0e\x1b[H");
    const after = "[]\x1b8{";
    await write(live, after);
    await write(restored, after);
    expect(rows(live).slice(0, 2)).toEqual(["ÄÜ", "  é"]);
    expect(rows(restored)).toEqual(rows(live));
  });

  it("keeps the pen's underline style and colour, which DECRC keeps for a saved underline", async () => {
    // A plain underline saved; the pen then curly and coloured (vim's spelling marks).
    const [live, restored] = await liveAndRestored(
      "\x1b[4m\x1b[2;3H\x1b7\x1b[4:3m\x1b[58:2::10:20:30m\x1b[H",
    );
    await write(live, "now\x1b8then");
    await write(restored, "now\x1b8then");
    // xterm's cell keeps the style and colour in its (internal) extended attributes.
    const underline = (terminal: headless.Terminal, x: number, y: number) => {
      const cell = terminal.buffer.active.getLine(y)?.getCell(x) as unknown as {
        extended?: { underlineStyle: number; underlineColor: number };
      };
      return [cell.extended?.underlineStyle, cell.extended?.underlineColor];
    };
    expect(underline(live, 0, 0)).toEqual([3, 0x3000000 | 0x0a141e]);
    for (const [x, y] of [
      [0, 0],
      [2, 1],
    ] as const)
      expect(underline(restored, x, y)).toEqual(underline(live, x, y));
  });
});
