/**
 * A screen's saved cursors as the sequences that save them again in a terminal drawing a
 * snapshot: the place, the pen and the character set in use, which DECRC restores (status-line
 * updaters, shells' prompts), and the normal screen's, which leaving the alternate screen
 * restores (the shell's pen and line drawing after vim). xterm saves the pen's two words and
 * the set in use, not which of G0–G3 held it: the set is saved here from G0, invoked.
 */
import type headless from "@xterm/headless";
import { type Charset, charsetFinal } from "./charsets.js";
import { penSgr } from "./penSgr.js";
import { type AttributeData, core, currentPen, type InternalBuffer, num, pen } from "./xtermInternals.js";

interface Saved {
  x: number;
  /** Relative to the screen, as DECRC takes it. */
  y: number;
  pen: AttributeData | undefined;
  /** The final that designates the saved set; undefined for ASCII. */
  set: string | undefined;
}

function saved(buffer: InternalBuffer | undefined): Saved {
  return {
    x: num(buffer?.savedX, 0),
    y: num(buffer?.savedY, 0) - num(buffer?.ybase, 0),
    pen: pen(buffer?.savedCurAttrData),
    set: charsetFinal(buffer?.savedCharset as Charset | undefined),
  };
}

/** Whether a pen differs from the default (no attribute, default colours). */
const coloured = (data: AttributeData | undefined) => data !== undefined && (data.fg !== 0 || data.bg !== 0);

/** The saved pen and set made current for a save, and what puts the current ones back after it. */
function around(terminal: headless.Terminal, state: Saved): { before: string; after: string } {
  const current = currentPen(terminal);
  const penSaved = state.pen && coloured(state.pen);
  const before =
    (penSaved && state.pen ? penSgr(state.pen) : "") + (state.set ? `\x1b(${state.set}\x0f` : "");
  // G0 back to ASCII: the sets designated now follow the saves (`charsets`).
  const after = (penSaved ? (current ? penSgr(current) : "\x1b[0m") : "") + (state.set ? "\x1b(B" : "");
  return { before, after };
}

/**
 * DECSC at the saved place with the saved pen and set, when one was saved; then the current pen
 * again, and the cursor is put back afterwards (`serializeExtras`). Origin mode is off while it
 * is placed, so the place is the screen's, not the region's.
 */
export function savedCursor(terminal: headless.Terminal): string {
  const state = saved(core(terminal)?.buffer);
  if (state.x === 0 && state.y <= 0 && !coloured(state.pen) && state.set === undefined) return "";
  const origin = terminal.modes.originMode ? "\x1b[?6l" : "";
  const place = `${origin}\x1b[${Math.max(state.y, 0) + 1};${Math.min(state.x, terminal.cols - 1) + 1}H`;
  const { before, after } = around(terminal, state);
  return `${place}${before}\x1b7${after}`;
}

/**
 * Around the snapshot's `CSI ?1049h` (which saves the cursor, then enters the alternate screen),
 * when the alternate screen is in use: the pen and set the normal screen's saved cursor holds,
 * so that entering saves them, and a pen reset after it, as the alternate screen's cells are
 * drawn from the default pen. Its place is the normal screen's cursor, where the serialize addon
 * leaves it, and where `CSI ?1049h` saved it.
 */
export function alternateEntry(terminal: headless.Terminal): { before: string; after: string } {
  const state = saved(core(terminal)?.buffers?.normal);
  const penSaved = state.pen && coloured(state.pen);
  return {
    before:
      (penSaved && state.pen ? penSgr(state.pen) : "\x1b[0m") + (state.set ? `\x1b(${state.set}\x0f` : ""),
    after: (penSaved ? "\x1b[0m" : "") + (state.set ? "\x1b(B" : ""),
  };
}
