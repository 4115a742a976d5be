/**
 * What the serialize addon leaves out of a screen and a program relies on: the scroll region
 * (DECSTBM) and, in origin mode (DECOM), the cursor's place inside it. The addon ends its output
 * with `CSI ?6h` for origin mode, which homes the cursor, and never sets a region; this suffix
 * sets the region, origin mode, and the cursor again, so output after the snapshot lands
 * where it did on the live screen (vttest's scroll-region screens, `less`, status lines). A
 * hidden cursor (DECTCEM, full-screen programs) is carried too.
 */
import type headless from "@xterm/headless";

/** The active buffer's region; xterm keeps it internal (no public API), read defensively. */
interface InternalBuffer {
  scrollTop?: unknown;
  scrollBottom?: unknown;
}

interface InternalCore {
  buffer?: InternalBuffer;
  coreService?: { isCursorHidden?: unknown };
}

const core = (terminal: headless.Terminal) => (terminal as unknown as { _core?: InternalCore })._core;

function region(terminal: headless.Terminal): { top: number; bottom: number } {
  const buffer = core(terminal)?.buffer;
  const top = typeof buffer?.scrollTop === "number" ? buffer.scrollTop : 0;
  const bottom = typeof buffer?.scrollBottom === "number" ? buffer.scrollBottom : terminal.rows - 1;
  return { top, bottom };
}

/** Escape sequences to append to a serialized screen; empty when nothing differs from a reset. */
export function serializeExtras(terminal: headless.Terminal): string {
  const hidden = core(terminal)?.coreService?.isCursorHidden === true ? "\x1b[?25l" : "";
  return hidden + regionAndCursor(terminal);
}

function regionAndCursor(terminal: headless.Terminal): string {
  const { top, bottom } = region(terminal);
  const origin = terminal.modes.originMode;
  if (top === 0 && bottom === terminal.rows - 1 && !origin) return "";
  const { cursorX, cursorY } = terminal.buffer.active;
  // DECSTBM and DECOM both home the cursor, so the cursor goes last, relative to the region in
  // origin mode.
  let suffix = `\x1b[${top + 1};${bottom + 1}r`;
  if (origin) suffix += "\x1b[?6h";
  const row = origin ? cursorY - top + 1 : cursorY + 1;
  return `${suffix}\x1b[${row};${Math.min(cursorX, terminal.cols - 1) + 1}H`;
}
