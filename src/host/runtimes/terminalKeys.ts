/**
 * Keys as a terminal sends them, read one character at a time (an escape sequence may come
 * split across inputs): what a line editor does with each. Cursor keys come in normal and
 * application mode (`ESC [ A`, `ESC O A`), with modifiers (`ESC [ 1 ; 5 C`) read as plain;
 * Home, End and Delete also as `ESC [ n ~`. Keys that mean nothing to a line (function keys,
 * Ctrl-L, Alt-x) are read whole and dropped, never typed into it.
 */

export type EditKey =
  | "left"
  | "right"
  | "home"
  | "end"
  | "up"
  | "down"
  | "delete"
  | "backspace"
  | "drop-line"
  | "cut-to-end"
  | "enter"
  | "tab"
  | "interrupt";

export type Key = EditKey | { text: string };

/** Cursor keys by their sequence's final character. */
const CURSOR_KEYS: Record<string, EditKey> = {
  A: "up",
  B: "down",
  C: "right",
  D: "left",
  H: "home",
  F: "end",
};
/** `ESC [ n ~` keys by n. */
const TILDE_KEYS: Record<string, EditKey> = {
  "1": "home",
  "7": "home",
  "4": "end",
  "8": "end",
  "3": "delete",
};
/** Control keys, as readline binds them. */
const CONTROL_KEYS: Record<string, EditKey> = {
  "\r": "enter",
  "\n": "enter",
  "\t": "tab",
  "\x03": "interrupt",
  "\x7f": "backspace",
  "\b": "backspace",
  "\x15": "drop-line",
  "\x0b": "cut-to-end",
  "\x01": "home",
  "\x05": "end",
  "\x02": "left",
  "\x06": "right",
  "\x10": "up",
  "\x0e": "down",
  "\x04": "delete",
};

export class KeyReader {
  /** An escape sequence being read: what came of it so far. */
  private escape = "";

  /** The key `char` completes; undefined while a sequence is read, or for a key that means nothing. */
  read(char: string): Key | undefined {
    if (this.escape || char === "\x1b") return this.sequence(char);
    if (char >= " " && char !== "\x7f") return { text: char };
    return CONTROL_KEYS[char];
  }

  /** ESC [ params final, ESC O x, or ESC and one character. */
  private sequence(char: string): EditKey | undefined {
    this.escape += char;
    const e = this.escape;
    if (e.length < 2) return undefined;
    if (e[1] === "[") {
      if (e.length === 2 || !/[\x40-\x7e]/.test(char)) return undefined;
      this.escape = "";
      return char === "~" ? TILDE_KEYS[e.slice(2, -1).split(";")[0] ?? ""] : CURSOR_KEYS[char];
    }
    if (e[1] === "O" && e.length < 3) return undefined;
    this.escape = "";
    return e[1] === "O" ? CURSOR_KEYS[char] : undefined;
  }
}
