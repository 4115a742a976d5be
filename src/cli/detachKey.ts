/**
 * The detach key of `dispatch attach`: Ctrl-\ by default (0x1c), or any Ctrl-<key> given as
 * `ctrl-]`, `ctrl+a`, `C-a` or `^A`; `none` turns detaching by key off.
 */
import { UsageError } from "./exitCodes.js";

export interface DetachKey {
  /** How to name the key to a person, e.g. `Ctrl-\`. */
  label: string;
  /**
   * Byte sequences that mean this key: the control byte, and the same key in the kitty
   * keyboard protocol (`CSI code;5u`), which a full-screen program in the session may turn on.
   */
  sequences: Uint8Array[];
}

export const DEFAULT_DETACH_KEY = "ctrl-\\";

/** Keys that would take away Enter, Tab, Backspace or Escape from the session. */
const RESERVED = new Set(["[", "h", "i", "j", "m"]);

/** Parses a detach key; `undefined` for `none`. Throws a UsageError for anything else. */
export function parseDetachKey(text: string): DetachKey | undefined {
  const spec = text.trim();
  if (spec.toLowerCase() === "none") return undefined;
  const match = /^(?:ctrl[-+]|c-|\^)(.)$/i.exec(spec);
  if (!match) {
    throw new UsageError(
      `invalid detach key '${text}': use ctrl-<key> such as ctrl-\\, ctrl-] or ctrl-a, or none`,
    );
  }
  const key = (match[1] as string).toLowerCase();
  const code = key.toUpperCase().charCodeAt(0);
  if (code < 0x40 || code > 0x5f) {
    throw new UsageError(
      `invalid detach key '${text}': the key after ctrl- must be a letter or one of @ [ \\ ] ^ _`,
    );
  }
  if (RESERVED.has(key)) {
    throw new UsageError(
      `detach key '${text}' is Enter, Tab, Backspace or Escape to the terminal; pick another`,
    );
  }
  const control = new Uint8Array([code & 0x1f]);
  const kitty = new TextEncoder().encode(`\x1b[${key.charCodeAt(0)};5u`);
  return {
    label: `Ctrl-${key.length === 1 && /[a-z]/.test(key) ? key.toUpperCase() : key}`,
    sequences: [control, kitty],
  };
}

/** Where the detach key first occurs in `chunk`, or -1. Keys typed arrive whole in one chunk. */
export function findDetachKey(chunk: Uint8Array, key: DetachKey | undefined): number {
  if (!key) return -1;
  let first = -1;
  for (const sequence of key.sequences) {
    const at = indexOf(chunk, sequence);
    if (at >= 0 && (first < 0 || at < first)) first = at;
  }
  return first;
}

function indexOf(haystack: Uint8Array, needle: Uint8Array): number {
  outer: for (let i = 0; i + needle.length <= haystack.length; i++) {
    for (let j = 0; j < needle.length; j++) if (haystack[i + j] !== needle[j]) continue outer;
    return i;
  }
  return -1;
}
