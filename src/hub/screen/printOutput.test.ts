import serializeAddon from "@xterm/addon-serialize";
import headless from "@xterm/headless";
import { describe, expect, it } from "vitest";
import { type PrintTarget, printOutput } from "./printOutput.js";
import { serializeExtras } from "./serializeExtras.js";

const COLS = 30;
const ROWS = 8;
const SCROLLBACK = 40;

function emulator() {
  const terminal = new headless.Terminal({
    cols: COLS,
    rows: ROWS,
    scrollback: SCROLLBACK,
    allowProposedApi: true,
    logLevel: "error",
  });
  const serializer = new serializeAddon.SerializeAddon();
  terminal.loadAddon(serializer);
  return { terminal, serializer };
}

/** Everything a snapshot holds, and where the next output would land. */
function screenOf({ terminal, serializer }: ReturnType<typeof emulator>): string {
  const buffer = terminal.buffer.active;
  return [
    serializer.serialize({ scrollback: SCROLLBACK }),
    serializeExtras(terminal),
    `${buffer.type} ${buffer.length} ${buffer.baseY} ${buffer.cursorX},${buffer.cursorY}`,
  ].join("\n");
}

/** The reference: every byte printed. */
function printedInFull(chunks: readonly Uint8Array[]): string {
  const e = emulator();
  for (const chunk of chunks) (e.terminal as unknown as PrintTarget)._core.writeSync(chunk);
  return screenOf(e);
}

function printedWithSkips(chunks: readonly Uint8Array[]): { screen: string; skipped: number; bytes: number } {
  const e = emulator();
  const { skipped, bytes } = printOutput(e.terminal as unknown as PrintTarget, chunks, SCROLLBACK);
  return { screen: screenOf(e), skipped, bytes };
}

const text = (s: string) => new TextEncoder().encode(s);

/** Numbered plain lines, some longer than the screen is wide (they wrap). */
function lines(count: number, from = 0, ending = "\r\n"): string {
  let out = "";
  for (let i = from; i < from + count; i++) out += `line ${i} ${"x".repeat((i * 7) % 45)}${ending}`;
  return out;
}

/** Cuts `data` into chunks at the given sizes, cycling (boundaries fall anywhere, even inside `\r\n`). */
function cut(data: Uint8Array, sizes: number[]): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (let i = 0; at < data.length; i++) {
    const size = sizes[i % sizes.length] as number;
    chunks.push(data.slice(at, at + size));
    at += size;
  }
  return chunks;
}

/** Deterministic pseudo-random numbers (mulberry32). */
function random(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe("printOutput", () => {
  it("leaves out a plain flood's scrolled-off middle and ends at the same screen, colours and cursor included", () => {
    const data = text(`\x1b[2J\x1b[3;5Hstart\x1b[41;33m partly filled\r\n${lines(500)}tail without newline`);
    const full = printedInFull([data]);
    const skipping = printedWithSkips(cut(data, [7, 1, 4096, 13]));
    expect(skipping.bytes).toBe(data.length);
    expect(skipping.skipped).toBeGreaterThan(data.length / 2);
    expect(skipping.screen).toBe(full);
  });

  it("skips `yes`-like output down to the lines the screen and scrollback keep", () => {
    const data = text("y\r\n".repeat(20_000));
    const skipping = printedWithSkips([data]);
    expect(skipping.skipped).toBeGreaterThan(data.length - 200 * 3);
    expect(skipping.screen).toBe(printedInFull([data]));
  });

  it("prints every byte when told not to look for plain runs", () => {
    const data = text("y\r\n".repeat(5_000));
    const e = emulator();
    const { skipped } = printOutput(e.terminal as unknown as PrintTarget, [data], SCROLLBACK, false);
    expect(skipped).toBe(0);
    expect(screenOf(e)).toBe(printedInFull([data]));
  });

  it("prints everything where a skip would not be exact", () => {
    const cases = {
      "an OSC string left open (plain text is its payload)": `\x1b]0;title ${lines(300)}\x07`,
      "a scroll region": `\x1b[2;6r${lines(300)}`,
      "insert mode": `\x1b[4h${lines(300)}`,
      "too few lines": lines(2 * ROWS + SCROLLBACK),
      "bare line feeds": lines(300, 0, "\n"),
    };
    for (const [what, output] of Object.entries(cases)) {
      const data = text(output);
      const skipping = printedWithSkips(cut(data, [100]));
      expect(skipping.skipped, what).toBe(0);
      expect(skipping.screen, what).toBe(printedInFull([data]));
    }
  });

  it("ends at the same screen as printing every byte, for mixed output cut anywhere", () => {
    const sequences = [
      "\x1b[31m",
      "\x1b[0m",
      "\x1b[44;1m",
      "\x1b[H",
      "\x1b[5;10H",
      "\x1b[2J",
      "\x1b[K",
      "\x1b[?1049h",
      "\x1b[?1049l",
      "\x1b[3;7r",
      "\x1b[r",
      "\x1b[4h",
      "\x1b[4l",
      "\x1b]2;a title",
      "\x07",
      "\x1b[",
      "\x1b7",
      "\x1b8",
      "\t",
      "\x1b[?7l",
      "\x1b[?7h",
      "é and 世界\r\n",
    ];
    for (let seed = 1; seed <= 12; seed++) {
      const next = random(seed);
      let output = "";
      for (let part = 0; part < 14; part++) {
        output +=
          next() < 0.5
            ? (sequences[Math.floor(next() * sequences.length)] as string)
            : lines(Math.floor(next() * 260), part * 1000, next() < 0.9 ? "\r\n" : "\n");
      }
      const data = text(output);
      const sizes = [1 + Math.floor(next() * 5000), 1 + Math.floor(next() * 3), 1 + Math.floor(next() * 700)];
      const full = printedInFull([data]);
      expect(printedWithSkips(cut(data, sizes)).screen, `seed ${seed}`).toBe(full);
      // Chunks large enough for the native scans of whole plain chunks.
      const large = [4096 + Math.floor(next() * 12000), 4096 + Math.floor(next() * 3000)];
      expect(printedWithSkips(cut(data, large)).screen, `seed ${seed}, large chunks`).toBe(full);
    }
  });
});
