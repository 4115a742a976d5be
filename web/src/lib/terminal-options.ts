/**
 * How a session's xterm is set up: its colours, font, row height and how much scrollback it
 * keeps before the user asks for older output.
 */
import type { ITerminalInitOnlyOptions, ITerminalOptions, ITheme } from "@xterm/xterm";

export const THEME: ITheme = {
  background: "#0d1117",
  foreground: "#d6dde6",
  cursor: "#7ee787",
  cursorAccent: "#0d1117",
  selectionBackground: "#2f4d6f",
  black: "#484f58",
  red: "#ff7b72",
  green: "#3fb950",
  yellow: "#d29922",
  blue: "#58a6ff",
  magenta: "#bc8cff",
  cyan: "#39c5cf",
  white: "#b1bac4",
  brightBlack: "#6e7681",
  brightRed: "#ffa198",
  brightGreen: "#56d364",
  brightYellow: "#e3b341",
  brightBlue: "#79c0ff",
  brightMagenta: "#d2a8ff",
  brightCyan: "#56d4dd",
  brightWhite: "#f0f6fc",
};

/** Scrollback per terminal: enough for real work, bounded so 16 open terminals stay light. */
const SCROLLBACK_LINES = 10_000;

/** Row height as a multiple of the font's: room below the baseline for `_` (see below). */
const LINE_HEIGHT = 1.2;

/** The options of a new session terminal at the session's size. */
export function terminalOptions(size: {
  cols: number;
  rows: number;
}): ITerminalOptions & ITerminalInitOnlyOptions {
  return {
    cols: size.cols,
    rows: size.rows,
    scrollback: SCROLLBACK_LINES,
    allowProposedApi: true,
    // Steady, as xterm's own default: with the DOM renderer a blinking cursor is a CSS
    // animation that keeps the page painting, and keys and output waited behind its frames
    // (echo p90 20 ms blinking, 8 ms steady, in headless chromium; docs/BENCHMARKS.md).
    cursorBlink: false,
    fontFamily: '"JetBrains Mono", "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace',
    fontSize: 14,
    // The DOM renderer clips each row to its cell height; at 1.0 a font whose descent
    // reaches the cell's bottom (DejaVu Sans Mono, the usual Linux fallback) loses its
    // underscores. A little leading keeps them inside the row.
    lineHeight: LINE_HEIGHT,
    theme: THEME,
    screenReaderMode: false,
  };
}
