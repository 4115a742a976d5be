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
  it("keeps SGR mouse reports on, so a click reaches vim in the form it reads", async () => {
    const [live, restored] = await liveAndRestored("\x1b[?1049h\x1b[?1002h\x1b[?1006h~");
    const query = "\x1b[?1006$p";
    expect(await answer(live, query)).toBe("\x1b[?1006;1$y");
    expect(await answer(restored, query)).toBe(await answer(live, query));
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
});
