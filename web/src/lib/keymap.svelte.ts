/**
 * The user's key settings, kept per browser: the prefix key (like the CLI's Ctrl-]) and whether
 * the Alt shortcuts also apply while a terminal has focus. While a terminal is focused, every
 * other key belongs to the shell (readline's Ctrl+K, Ctrl+R, Alt+B, vim, emacs).
 */
import { applyCtrl } from "./keys.js";

const KEYS_KEY = "dispatch:keys";

/** The prefix key out of the box: the CLI client's, so one habit serves both. */
export const DEFAULT_PREFIX = "Ctrl+]";

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

/** Apple keyboards: the palette is ⌘K there, and Cmd never reaches a shell anyway. */
export const IS_MAC = /Mac|iPhone|iPad/.test(navigator.platform);

const CODE_NAMES: Record<string, string> = {
  BracketRight: "]",
  BracketLeft: "[",
  Backslash: "\\",
  Space: "Space",
  Minus: "-",
  Equal: "=",
  Semicolon: ";",
  Quote: "'",
  Comma: ",",
  Period: ".",
  Slash: "/",
  Backquote: "`",
};

/** Whether the event is a modifier pressed on its own (waiting for the real key). */
export function isModifierOnly(e: KeyboardEvent): boolean {
  return e.key === "Shift" || e.key === "Control" || e.key === "Alt" || e.key === "Meta";
}

/** A key with its modifiers, by physical key (`Ctrl+]`, `Alt+N`, `Ctrl+Shift+F`). */
export function keyName(e: KeyboardEvent): string {
  const letter = /^Key([A-Z])$/.exec(e.code)?.[1] ?? /^Digit([0-9])$/.exec(e.code)?.[1];
  const base = letter ?? CODE_NAMES[e.code] ?? e.key;
  const mods = [e.ctrlKey && "Ctrl", e.altKey && "Alt", e.shiftKey && "Shift", e.metaKey && "Meta"];
  return [...mods.filter(Boolean), base].join("+");
}

/** What the prefix key types into the shell when pressed twice: Ctrl+] is 0x1d. */
export function prefixBytes(prefix: string): string {
  const ctrl = /^Ctrl\+(.)$/.exec(prefix)?.[1];
  return ctrl ? applyCtrl(ctrl) : "";
}
