/**
 * The user's key settings, kept per browser: the prefix key (like the CLI's Ctrl-]) and whether
 * the Alt shortcuts also apply while a terminal has focus. While a terminal is focused, every
 * other key belongs to the shell (readline's Ctrl+K, Ctrl+R, Alt+B, vim, emacs).
 */
import { DEFAULT_PREFIX } from "./keynames.js";

const KEYS_KEY = "dispatch:keys";

export interface KeySettings {
  /** A key name as `keyName` gives it (`Ctrl+]`, `Ctrl+B`), or "none". */
  prefix: string;
  /** Alt+N, Alt+[ ... also while a terminal has focus (they then never reach the shell). */
  altInTerminal: boolean;
}

function load(): KeySettings {
  try {
    const raw = JSON.parse(localStorage.getItem(KEYS_KEY) ?? "{}") as Partial<KeySettings>;
    return {
      prefix: typeof raw.prefix === "string" && raw.prefix ? raw.prefix : DEFAULT_PREFIX,
      altInTerminal: raw.altInTerminal === true,
    };
  } catch {
    // Corrupt or blocked storage: the defaults.
    return { prefix: DEFAULT_PREFIX, altInTerminal: false };
  }
}

export const keySettings: KeySettings = $state(load());

export function saveKeySettings(): void {
  try {
    localStorage.setItem(KEYS_KEY, JSON.stringify(keySettings));
  } catch {
    // Storage disabled: the setting lasts for this page only.
  }
}

/**
 * A tooltip's key for a page command: its Alt key says where it works, since by default Alt
 * keys typed in a focused terminal go to the shell, and there the prefix key does it instead.
 * `alt`: the direct key (`Alt+1`); `prefixed`: the key after the prefix (`1`).
 */
export function shortcutHint(alt: string, prefixed: string): string {
  if (keySettings.altInTerminal) return alt;
  if (keySettings.prefix === "none") return `${alt} outside a terminal`;
  return `${alt} outside a terminal; in one ${keySettings.prefix} then ${prefixed}`;
}
