/**
 * Every keyboard shortcut, in one table: the key handler matches against it and the help
 * overlay lists it. `e.code` rather than `e.key`, so Alt+N works where Alt types a character
 * (macOS Option, AltGr layouts).
 */

export type Action =
  | "new"
  | "next"
  | "previous"
  | "jump"
  | "close"
  | "rename"
  | "kill"
  | "palette"
  | "help"
  | "search"
  | "copy"
  | "paste"
  | "sessions";

export interface Shortcut {
  action: Action;
  keys: string;
  description: string;
}

export const SHORTCUTS: readonly Shortcut[] = [
  { action: "new", keys: "Alt+N", description: "New session" },
  { action: "next", keys: "Alt+]", description: "Next session" },
  { action: "previous", keys: "Alt+[", description: "Previous session" },
  { action: "jump", keys: "Alt+1 … Alt+9", description: "Jump to session 1–9 in the list" },
  { action: "close", keys: "Alt+W", description: "Close the terminal view (the session keeps running)" },
  { action: "rename", keys: "Alt+R", description: "Rename the current session" },
  { action: "kill", keys: "Alt+K", description: "Kill the current session (asks first)" },
  { action: "sessions", keys: "Alt+S", description: "Focus the session list (filter)" },
  { action: "palette", keys: "Ctrl+K", description: "Command palette: sessions and actions" },
  { action: "search", keys: "Ctrl+Shift+F", description: "Search in the terminal" },
  { action: "copy", keys: "Ctrl+Shift+C", description: "Copy the terminal selection" },
  { action: "paste", keys: "Ctrl+Shift+V", description: "Paste into the terminal" },
  { action: "help", keys: "?", description: "This help (when the terminal is not focused)" },
];

export interface Matched {
  action: Action;
  /** For `jump`: 1..9. */
  index?: number;
}

export interface KeyContext {
  /** Focus is in a terminal. */
  inTerminal: boolean;
  /** Focus is in a text field. */
  inField: boolean;
}

/** Where a key event happened: in a terminal (xterm's textarea), a text field, or elsewhere. */
export function keyContext(target: EventTarget | null): KeyContext {
  const element = target instanceof HTMLElement ? target : null;
  const inTerminal = !!element?.closest(".xterm");
  const inField =
    !inTerminal &&
    (element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      !!element?.isContentEditable);
  return { inTerminal, inField };
}

export function matchShortcut(e: KeyboardEvent, context: KeyContext): Matched | null {
  const ctrl = e.ctrlKey || e.metaKey;
  if (e.altKey && !ctrl) {
    if (e.shiftKey) return null;
    switch (e.code) {
      case "KeyN":
        return { action: "new" };
      case "BracketRight":
        return { action: "next" };
      case "BracketLeft":
        return { action: "previous" };
      case "KeyW":
        return { action: "close" };
      case "KeyR":
        return { action: "rename" };
      case "KeyK":
        return { action: "kill" };
      case "KeyS":
        return { action: "sessions" };
      default: {
        const digit = /^Digit([1-9])$/.exec(e.code);
        return digit ? { action: "jump", index: Number(digit[1]) } : null;
      }
    }
  }
  if (ctrl && !e.altKey) {
    if (!e.shiftKey && e.code === "KeyK") return { action: "palette" };
    if (e.shiftKey && e.code === "KeyF") return { action: "search" };
    // Copy and paste only mean something in the terminal; elsewhere the browser does them.
    if (e.shiftKey && e.code === "KeyC" && context.inTerminal) return { action: "copy" };
    if (e.shiftKey && e.code === "KeyV" && context.inTerminal) return { action: "paste" };
    return null;
  }
  if (e.key === "?" && !e.altKey && !context.inTerminal && !context.inField) return { action: "help" };
  return null;
}
