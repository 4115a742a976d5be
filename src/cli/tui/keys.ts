/**
 * Keys from a raw terminal's input bytes, for the picker and the prompts of attached mode.
 * A chunk holds whole keys (terminals write a key's sequence at once); a paste is many keys.
 */

export type Key =
  | { name: "char"; char: string }
  | { name: "ctrl"; char: string }
  | {
      name:
        | "enter"
        | "escape"
        | "backspace"
        | "tab"
        | "up"
        | "down"
        | "left"
        | "right"
        | "home"
        | "end"
        | "pageup"
        | "pagedown"
        | "delete";
    };

const SEQUENCES: Record<string, Key> = {
  "\x1b[A": { name: "up" },
  "\x1b[B": { name: "down" },
  "\x1b[C": { name: "right" },
  "\x1b[D": { name: "left" },
  "\x1bOA": { name: "up" },
  "\x1bOB": { name: "down" },
  "\x1bOC": { name: "right" },
  "\x1bOD": { name: "left" },
  "\x1b[H": { name: "home" },
  "\x1b[F": { name: "end" },
  "\x1b[1~": { name: "home" },
  "\x1b[4~": { name: "end" },
  "\x1b[3~": { name: "delete" },
  "\x1b[5~": { name: "pageup" },
  "\x1b[6~": { name: "pagedown" },
};

/** The escape sequence (CSI or SS3, as keys send them) at `at` in `input`, if one starts there. */
export function escapeSequenceAt(input: string, at: number): string | undefined {
  return /^\x1b(?:\[[0-9;]*[A-Za-z~]|O[A-Za-z])/.exec(input.slice(at))?.[0];
}

export function parseKeys(input: string): Key[] {
  const keys: Key[] = [];
  let i = 0;
  while (i < input.length) {
    const char = input[i] as string;
    if (char === "\x1b") {
      const sequence = escapeSequenceAt(input, i);
      if (sequence) {
        const known = SEQUENCES[sequence];
        if (known) keys.push(known);
        i += sequence.length;
        continue;
      }
      keys.push({ name: "escape" });
      i += 1;
      continue;
    }
    const code = char.charCodeAt(0);
    if (char === "\r" || char === "\n") keys.push({ name: "enter" });
    else if (char === "\t") keys.push({ name: "tab" });
    else if (code === 0x7f || code === 0x08) keys.push({ name: "backspace" });
    else if (code < 0x20) keys.push({ name: "ctrl", char: String.fromCharCode(code + 0x60) });
    else {
      const point = input.codePointAt(i) as number;
      const whole = String.fromCodePoint(point);
      keys.push({ name: "char", char: whole });
      i += whole.length;
      continue;
    }
    i += 1;
  }
  return keys;
}
