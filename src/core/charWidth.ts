/**
 * How many columns a character takes on a terminal: 2 for CJK and most emoji, 0 for combining
 * marks, 1 for the rest. The table is xterm's Unicode 11 one (`@xterm/addon-unicode11`), the
 * one the hub's screens and the web terminal draw with, so text read without a screen lands in
 * the columns it does on one.
 */
import unicode11 from "@xterm/addon-unicode11";

type Width = 0 | 1 | 2;

/**
 * The addon hands its table only to a terminal it is loaded in: a stand-in that takes the
 * provider it registers. Built on first use (the table is a 64 KiB array).
 */
let table: ((codePoint: number) => Width) | undefined;

function load(): (codePoint: number) => Width {
  let provider: { wcwidth(codePoint: number): Width } | undefined;
  const standIn = { unicode: { register: (p: typeof provider) => (provider = p) } };
  new unicode11.Unicode11Addon().activate(standIn as never);
  if (!provider) throw new Error("@xterm/addon-unicode11 registered no width table");
  const found = provider;
  return (codePoint) => found.wcwidth(codePoint);
}

/** Columns `codePoint` takes (C0 and C1 controls take none). */
export function charWidth(codePoint: number): Width {
  // Printable ASCII, most output by far, needs no table.
  if (codePoint >= 0x20 && codePoint < 0x7f) return 1;
  table ??= load();
  return table(codePoint);
}

/** Columns `text` takes (control characters none). */
export function textWidth(text: string): number {
  let width = 0;
  for (const char of text) width += charWidth(char.codePointAt(0) as number);
  return width;
}
