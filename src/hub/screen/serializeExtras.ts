/**
 * What the serialize addon leaves out of a screen and a program relies on, appended to its
 * output so a client attaching (or re-attaching mid-vim) gets the screen as the program left it:
 *
 * - the scroll region (DECSTBM) and, in origin mode (DECOM), the cursor's place inside it. The
 *   addon ends its output with `CSI ?6h` for origin mode, which homes the cursor, and never sets a
 *   region (vttest's scroll-region screens, `less`, status lines);
 * - a hidden cursor (DECTCEM, full-screen programs);
 * - the mouse report encoding: the addon turns reporting on (`CSI ?1000h`) but not SGR encoding
 *   (`CSI ?1006h`), so vim's or htop's clicks came back in the old X10 form they do not read;
 * - the application keypad (DECKPAM, `ESC =`, which vim and less send with application cursor
 *   keys): the addon writes it as DECNKM (`CSI ?66h`), which xterm reads but tmux
 *   ignores, so `dispatch attach` from tmux sent the keypad's keys as plain digits.
 *   The other modes xterm keeps (cursor keys, bracketed paste, mouse reports, focus, insert,
 *   origin, wrap, reverse wrap) the addon writes in their common form;
 * - the cursor's shape (DECSCUSR: vim's bar in insert mode);
 * - the saved cursor (DECSC), which a later DECRC jumps back to (status-line updaters, shells'
 *   prompts), with the pen and character set it saved too (DECRC restores them): `savedCursor.ts`;
 * - the character sets designated and the one in use (`charsets.ts`): a program mid-way through
 *   drawing a box in DEC special graphics goes on writing `q` for `─`;
 * - the current pen's underline style (curly, double) and colour;
 * - the window title (OSC 2): a terminal attaching later showed its own (or the last session's)
 *   title where vim, htop or a shell's prompt had set the session's.
 */
import type headless from "@xterm/headless";
import { type Charset, charsetSequences } from "./charsets.js";
import { penUnderline } from "./penSgr.js";
import { savedCursor } from "./savedCursor.js";
import { core, currentPen, num } from "./xtermInternals.js";

function region(terminal: headless.Terminal): { top: number; bottom: number } {
  const buffer = core(terminal)?.buffer;
  return { top: num(buffer?.scrollTop, 0), bottom: num(buffer?.scrollBottom, terminal.rows - 1) };
}

/** Escape sequences to append to a serialized screen; empty when nothing differs from a reset. */
export function serializeExtras(terminal: headless.Terminal): string {
  const hidden = core(terminal)?.coreService?.isCursorHidden === true ? "\x1b[?25l" : "";
  const saved = savedCursor(terminal);
  return (
    title(terminal) +
    hidden +
    keypad(terminal) +
    mouseEncoding(terminal) +
    cursorShape(terminal) +
    saved +
    charsets(terminal) +
    underline(terminal) +
    regionAndCursor(terminal, saved !== "")
  );
}

/** OSC 2 with the title the program set last; nothing when it set none (or an empty one). */
function title(terminal: headless.Terminal): string {
  const text = core(terminal)?._inputHandler?._windowTitle;
  return typeof text === "string" && text !== "" ? `\x1b]2;${text}\x07` : "";
}

function charsets(terminal: headless.Terminal): string {
  const service = core(terminal)?._charsetService;
  const designated = Array.isArray(service?._charsets) ? (service._charsets as (Charset | undefined)[]) : [];
  return charsetSequences({ designated, level: num(service?.glevel, 0) });
}

/** DECKPAM, as the program sent it (xterm keeps one flag for it and DECNKM). */
function keypad(terminal: headless.Terminal): string {
  return terminal.modes.applicationKeypadMode ? "\x1b=" : "";
}

/** DECSET for the mouse encoding xterm parses (1005 and 1015 it ignores). */
const ENCODINGS: Record<string, string> = { SGR: "\x1b[?1006h", SGR_PIXELS: "\x1b[?1016h" };

function mouseEncoding(terminal: headless.Terminal): string {
  const encoding = core(terminal)?.coreMouseService?.activeEncoding;
  return typeof encoding === "string" ? (ENCODINGS[encoding] ?? "") : "";
}

const SHAPES: Record<string, number> = { block: 1, underline: 3, bar: 5 };

/** DECSCUSR: odd codes blink, the next even one is the same shape steady. */
function cursorShape(terminal: headless.Terminal): string {
  const modes = core(terminal)?.coreService?.decPrivateModes;
  const shape = typeof modes?.cursorStyle === "string" ? SHAPES[modes.cursorStyle] : undefined;
  if (shape === undefined) return "";
  return `\x1b[${modes?.cursorBlink === false ? shape + 1 : shape} q`;
}

/** The current pen's underline style and colour, which the serialize addon's pen leaves out. */
function underline(terminal: headless.Terminal): string {
  const current = currentPen(terminal);
  return current ? penUnderline(current) : "";
}

/** The region, origin mode and then the cursor; nothing when all are as after a reset and the cursor was not moved. */
function regionAndCursor(terminal: headless.Terminal, cursorMoved: boolean): string {
  const { top, bottom } = region(terminal);
  const origin = terminal.modes.originMode;
  const plain = top === 0 && bottom === terminal.rows - 1 && !origin;
  if (plain && !cursorMoved) return "";
  const { cursorX, cursorY } = terminal.buffer.active;
  // DECSTBM and DECOM both home the cursor, so the cursor goes last, relative to the region in
  // origin mode.
  let suffix = plain ? "" : `\x1b[${top + 1};${bottom + 1}r`;
  if (origin) suffix += "\x1b[?6h";
  const row = origin ? cursorY - top + 1 : cursorY + 1;
  return `${suffix}\x1b[${row};${Math.min(cursorX, terminal.cols - 1) + 1}H`;
}
