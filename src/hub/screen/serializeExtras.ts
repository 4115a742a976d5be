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
 * - the cursor's shape (DECSCUSR: vim's bar in insert mode);
 * - the saved cursor (DECSC), which a later DECRC jumps back to (status-line updaters, shells'
 *   prompts), with the pen and character set it saved too (DECRC restores them);
 * - the character sets designated and the one in use (`charsets.ts`): a program mid-way through
 *   drawing a box in DEC special graphics goes on writing `q` for `─`.
 */
import type headless from "@xterm/headless";
import { type Charset, charsetFinal, charsetSequences } from "./charsets.js";
import { type Pen, penSgr } from "./penSgr.js";

/** xterm keeps these internal (no public API): read defensively, a missing field is a default. */
interface InternalBuffer {
  scrollTop?: unknown;
  scrollBottom?: unknown;
  ybase?: unknown;
  savedX?: unknown;
  savedY?: unknown;
  savedCurAttrData?: Partial<AttributeData>;
  savedCharset?: unknown;
}

/** xterm's attribute data: the pen's packed words, and the methods `penSgr` reads. */
type AttributeData = Pen & { fg: number; bg: number };

interface InternalCore {
  buffer?: InternalBuffer;
  coreService?: {
    isCursorHidden?: unknown;
    decPrivateModes?: { cursorStyle?: unknown; cursorBlink?: unknown };
  };
  coreMouseService?: { activeEncoding?: unknown };
  _charsetService?: { glevel?: unknown; _charsets?: unknown };
  _inputHandler?: { _curAttrData?: Partial<AttributeData> };
}

const core = (terminal: headless.Terminal) => (terminal as unknown as { _core?: InternalCore })._core;

const num = (value: unknown, fallback: number) => (typeof value === "number" ? value : fallback);

function region(terminal: headless.Terminal): { top: number; bottom: number } {
  const buffer = core(terminal)?.buffer;
  return { top: num(buffer?.scrollTop, 0), bottom: num(buffer?.scrollBottom, terminal.rows - 1) };
}

/** Escape sequences to append to a serialized screen; empty when nothing differs from a reset. */
export function serializeExtras(terminal: headless.Terminal): string {
  const hidden = core(terminal)?.coreService?.isCursorHidden === true ? "\x1b[?25l" : "";
  const saved = savedCursor(terminal);
  return (
    hidden +
    mouseEncoding(terminal) +
    cursorShape(terminal) +
    saved +
    charsets(terminal) +
    regionAndCursor(terminal, saved !== "")
  );
}

/** A pen with every method `penSgr` reads; undefined if xterm's internals changed shape. */
function pen(data: Partial<AttributeData> | undefined): AttributeData | undefined {
  return typeof data?.fg === "number" && typeof data.bg === "number" && typeof data.isBold === "function"
    ? (data as AttributeData)
    : undefined;
}

/** Whether a pen differs from the default (no attribute, default colours). */
const coloured = (data: AttributeData | undefined) => data !== undefined && (data.fg !== 0 || data.bg !== 0);

function charsets(terminal: headless.Terminal): string {
  const service = core(terminal)?._charsetService;
  const designated = Array.isArray(service?._charsets) ? (service._charsets as (Charset | undefined)[]) : [];
  return charsetSequences({ designated, level: num(service?.glevel, 0) });
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

/**
 * DECSC at the saved place (relative to the screen, as DECRC takes it) with the saved pen and
 * character set, when one was saved; then the current pen again (G0 and the set in use follow:
 * `charsets`), and the cursor is put back afterwards (`regionAndCursor`). Origin mode is off
 * while it is placed, so the place is the screen's, not the region's.
 */
function savedCursor(terminal: headless.Terminal): string {
  const state = core(terminal);
  const buffer = state?.buffer;
  const x = num(buffer?.savedX, 0);
  const y = num(buffer?.savedY, 0) - num(buffer?.ybase, 0);
  const savedPen = pen(buffer?.savedCurAttrData);
  const savedSet = charsetFinal(buffer?.savedCharset as Charset | undefined);
  if (x === 0 && y <= 0 && !coloured(savedPen) && savedSet === undefined) return "";
  const origin = terminal.modes.originMode ? "\x1b[?6l" : "";
  const place = `${origin}\x1b[${Math.max(y, 0) + 1};${Math.min(x, terminal.cols - 1) + 1}H`;
  const current = pen(state?._inputHandler?._curAttrData);
  const penAround =
    savedPen && coloured(savedPen) ? [penSgr(savedPen), current ? penSgr(current) : "\x1b[0m"] : ["", ""];
  // DECSC saves the set in use: G0, invoked, holds the saved one while it saves; G0 back to ASCII after.
  const setAround = savedSet !== undefined ? [`\x1b(${savedSet}\x0f`, "\x1b(B"] : ["", ""];
  return `${place}${penAround[0]}${setAround[0]}\x1b7${penAround[1]}${setAround[1]}`;
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
