/**
 * Every keyboard shortcut, in one table: the key handler matches against it, the help overlay
 * and the palette list it. Outside a terminal the direct keys work (Alt+N, Ctrl+K); inside one
 * every key belongs to the shell except the prefix key (Ctrl+] by default, as in the CLI
 * client) and the terminal's own copy, paste and find. Direct keys match `e.code` rather than
 * `e.key`, so Alt+N works where Alt types a character (macOS Option, AltGr layouts).
 */
import { IS_MAC } from "./keynames.js";

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
  | "sessions"
  | "split"
  | "unsplit"
  | "tile-next"
  | "tile-previous"
  | "search-all";

export interface Shortcut {
  action: Action;
  /** The direct key, outside a terminal (some also inside: see `matchShortcut`). */
  keys: string;
  /** The key after the prefix, anywhere. */
  prefixed?: string;
  description: string;
}

/** The palette: ⌘K on Apple keyboards, Ctrl+K elsewhere (Ctrl+K kills the line in a shell). */
export const PALETTE_KEYS = IS_MAC ? "⌘K" : "Ctrl+K";

export const SHORTCUTS: readonly Shortcut[] = [
  { action: "new", keys: "Alt+N", prefixed: "n", description: "New session" },
  { action: "next", keys: "Alt+]", prefixed: "]", description: "Next session" },
  { action: "previous", keys: "Alt+[", prefixed: "[", description: "Previous session" },
  {
    action: "jump",
    keys: "Alt+1 … Alt+9",
    prefixed: "1 … 9",
    description: "Jump to session 1–9 in the list",
  },
  {
    action: "close",
    keys: "Alt+W",
    prefixed: "w",
    description: "Close the view (the session keeps running)",
  },
  { action: "rename", keys: "Alt+R", prefixed: "r", description: "Rename the current session" },
  { action: "kill", keys: "Alt+K", prefixed: "x", description: "Kill the current session (asks first)" },
  { action: "sessions", keys: "Alt+S", prefixed: "s", description: "Focus the session list (filter)" },
  {
    action: "palette",
    keys: PALETTE_KEYS,
    prefixed: "k",
    description: "Command palette: sessions and actions",
  },
  {
    action: "split",
    keys: "Alt+T",
    prefixed: "t",
    description: "Split: show one more session beside (up to 4)",
  },
  {
    action: "unsplit",
    keys: "Alt+Z",
    prefixed: "z",
    description: "Back to one view (keeps the focused one)",
  },
  { action: "tile-next", keys: "Alt+O", prefixed: "o or →/↓", description: "Focus the next tile" },
  { action: "tile-previous", keys: "", prefixed: "←/↑", description: "Focus the previous tile" },
  { action: "search", keys: "Ctrl+Shift+F", prefixed: "f", description: "Search in the terminal" },
  { action: "search-all", keys: "", prefixed: "/", description: "Search every session's stored output" },
  { action: "copy", keys: "Ctrl+Shift+C", description: "Copy the terminal selection" },
  { action: "paste", keys: "Ctrl+Shift+V", description: "Paste into the terminal" },
  { action: "help", keys: "?", prefixed: "?", description: "This help" },
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
  /** The user lets the Alt shortcuts work inside terminals too. */
  altInTerminal?: boolean;
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

const ALT_KEYS: Record<string, Action> = {
  KeyN: "new",
  BracketRight: "next",
  BracketLeft: "previous",
  KeyW: "close",
  KeyR: "rename",
  KeyK: "kill",
  KeyS: "sessions",
  KeyT: "split",
  KeyZ: "unsplit",
  KeyO: "tile-next",
};

function altShortcut(e: KeyboardEvent): Matched | null {
  const action = ALT_KEYS[e.code];
  if (action) return { action };
  const digit = /^Digit([1-9])$/.exec(e.code);
  return digit ? { action: "jump", index: Number(digit[1]) } : null;
}

/** The direct shortcut for `e`, if any, in its context. */
export function matchShortcut(e: KeyboardEvent, context: KeyContext): Matched | null {
  if (e.altKey && !e.ctrlKey && !e.metaKey && !e.shiftKey) {
    return context.inTerminal && !context.altInTerminal ? null : altShortcut(e);
  }
  // ⌘K on a Mac works everywhere (Cmd never reaches the shell); Ctrl+K only outside terminals.
  const paletteKey = IS_MAC ? e.metaKey && !e.ctrlKey : e.ctrlKey && !e.metaKey;
  if (paletteKey && !e.altKey && !e.shiftKey && e.code === "KeyK" && (IS_MAC || !context.inTerminal)) {
    return { action: "palette" };
  }
  if ((e.ctrlKey || e.metaKey) && e.shiftKey && !e.altKey) {
    if (e.code === "KeyF") return { action: "search" };
    // Copy and paste only mean something in the terminal; elsewhere the browser does them.
    if (e.code === "KeyC" && context.inTerminal) return { action: "copy" };
    if (e.code === "KeyV" && context.inTerminal) return { action: "paste" };
    return null;
  }
  if (e.key === "?" && !e.altKey && !e.ctrlKey && !context.inTerminal && !context.inField)
    return { action: "help" };
  return null;
}

const PREFIXED: Record<string, Action> = {
  n: "new",
  "]": "next",
  "[": "previous",
  w: "close",
  r: "rename",
  x: "kill",
  s: "sessions",
  k: "palette",
  f: "search",
  "?": "help",
  "/": "search-all",
  t: "split",
  z: "unsplit",
  o: "tile-next",
  ArrowRight: "tile-next",
  ArrowDown: "tile-next",
  ArrowLeft: "tile-previous",
  ArrowUp: "tile-previous",
};

/** The action for the key typed after the prefix (by character, so `?` works on any layout). */
export function matchPrefixed(e: KeyboardEvent): Matched | null {
  if (e.ctrlKey || e.altKey || e.metaKey) return null;
  const digit = /^[1-9]$/.exec(e.key);
  if (digit) return { action: "jump", index: Number(e.key) };
  const action = PREFIXED[e.key.length === 1 ? e.key.toLowerCase() : e.key];
  return action ? { action } : null;
}
