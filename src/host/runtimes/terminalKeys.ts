/**
 * Keys as a terminal sends them, read one character at a time (an escape sequence may come
 * split across inputs): what a line editor does with each. Cursor keys come in normal and
 * application mode (`ESC [ A`, `ESC O A`), with modifiers (`ESC [ 1 ; 5 C`) read as plain;
 * Home, End and Delete also as `ESC [ n ~`. Keys that mean nothing to a line (function keys,
 * Ctrl-L, Alt-x) are read whole and dropped, never typed into it.
 *
 * A bracketed paste (`ESC [ 200 ~` text `ESC [ 201 ~`, sent by a terminal told `ESC [ ? 2004 h`)
 * is read as one `{ paste }`: its newlines are text, not Enter, so a block pasted whole stays
 * whole. Its line ends are `\n`, a tab four spaces (a tab would throw the line's layout off
 * the terminal's), and other control characters and escape sequences in it are dropped; Ctrl-C
 * in it drops the paste (one never ended would hold every key after it).
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

export type Key = EditKey | { text: string } | { paste: string } | { pasteTooLong: number };

const PASTE_START = "200";
const PASTE_END = "\x1b[201~";
/** Bound on a paste held until its end: a client that never ends one cannot grow it without end. */
export const MAX_PASTE_CHARS = 1024 * 1024;

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
  /** Inside a bracketed paste: its characters so far (undefined: not in one). */
  private pasted: string[] | undefined;
  /** How much of `PASTE_END` the last characters of a paste matched. */
  private endMatched = 0;
  /** Characters of the paste past `MAX_PASTE_CHARS`, counted and not held. */
  private dropped = 0;

  /** Whether a key is part read: an escape sequence, or a bracketed paste not ended yet. */
  get partial(): boolean {
    return this.escape !== "" || this.pasted !== undefined;
  }

  /** The key `char` completes; undefined while a sequence is read, or for a key that means nothing. */
  read(char: string): Key | undefined {
    if (this.pasted) return this.paste(this.pasted, char);
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
      if (char === "~" && e.slice(2, -1) === PASTE_START) {
        this.pasted = [];
        this.endMatched = 0;
        this.dropped = 0;
        return undefined;
      }
      return char === "~" ? TILDE_KEYS[e.slice(2, -1).split(";")[0] ?? ""] : CURSOR_KEYS[char];
    }
    if (e[1] === "O" && e.length < 3) return undefined;
    this.escape = "";
    return e[1] === "O" ? CURSOR_KEYS[char] : undefined;
  }

  /**
   * A character of a bracketed paste: held, until the paste's end gives it all as one key.
   * Ctrl-C drops a paste that never ended (its client went mid-way): the line is everyone's.
   */
  private paste(pasted: string[], char: string): Key | undefined {
    if (char === "\x03") {
      this.pasted = undefined;
      this.endMatched = 0;
      return "interrupt";
    }
    if (char === PASTE_END[this.endMatched]) {
      this.endMatched++;
      if (this.endMatched < PASTE_END.length) return undefined;
      this.pasted = undefined;
      this.endMatched = 0;
      if (this.dropped > 0) return { pasteTooLong: pasted.length + this.dropped };
      return { paste: pastedText(pasted.join("")) };
    }
    // What looked like the paste's end was not: it is part of the paste.
    if (this.endMatched > 0) {
      const matched = PASTE_END.slice(0, this.endMatched);
      this.endMatched = 0;
      this.hold(pasted, matched);
      return this.paste(pasted, char);
    }
    this.hold(pasted, char);
    return undefined;
  }

  private hold(pasted: string[], text: string): void {
    if (pasted.length < MAX_PASTE_CHARS) pasted.push(text);
    else this.dropped += text.length;
  }
}

/** A paste's text as a line holds it: `\n` line ends, tabs as spaces, no control characters. */
function pastedText(raw: string): string {
  return (
    raw
      // biome-ignore lint/suspicious/noControlCharactersInRegex: escape sequences are what it drops.
      .replace(/\x1b(?:\[[0-?]*[ -/]*[@-~]|\][^\x07\x1b]*(?:\x07|\x1b\\)?|.)?/g, "")
      .replace(/\r\n?/g, "\n")
      .replace(/\t/g, "    ")
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it drops.
      .replace(/[\x00-\x09\x0b-\x1f\x7f]/g, "")
  );
}
