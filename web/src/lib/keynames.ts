/** Key names as the settings and the help show them (`Ctrl+]`), and the platform's conventions. */
import { applyCtrl } from "./keys.js";

/** The prefix key out of the box: the CLI client's, so one habit serves both. */
export const DEFAULT_PREFIX = "Ctrl+]";

/** Apple keyboards: the palette is ⌘K there, and Cmd never reaches a shell anyway. */
export const IS_MAC = typeof navigator !== "undefined" && /Mac|iPhone|iPad/.test(navigator.platform);

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
