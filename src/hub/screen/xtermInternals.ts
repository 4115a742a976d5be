/**
 * The parts of xterm's internals a snapshot reads that xterm offers no API for (the scroll
 * region, the saved cursors, the character sets, the pen, some modes). Read defensively: a
 * missing or changed field reads as its default, so a newer xterm loses a detail, not the screen.
 */
import type headless from "@xterm/headless";
import type { Pen } from "./penSgr.js";

/** xterm's attribute data: the pen's packed words, and the methods `penSgr` reads. */
export type AttributeData = Pen & { fg: number; bg: number };

export interface InternalBuffer {
  scrollTop?: unknown;
  scrollBottom?: unknown;
  ybase?: unknown;
  savedX?: unknown;
  savedY?: unknown;
  savedCurAttrData?: Partial<AttributeData>;
  savedCharset?: unknown;
}

export interface InternalCore {
  buffer?: InternalBuffer;
  buffers?: { normal?: InternalBuffer };
  coreService?: {
    isCursorHidden?: unknown;
    decPrivateModes?: { cursorStyle?: unknown; cursorBlink?: unknown };
  };
  coreMouseService?: { activeEncoding?: unknown };
  _charsetService?: { glevel?: unknown; _charsets?: unknown };
  _inputHandler?: { _curAttrData?: Partial<AttributeData>; _windowTitle?: unknown };
}

export const core = (terminal: headless.Terminal): InternalCore | undefined =>
  (terminal as unknown as { _core?: InternalCore })._core;

export const num = (value: unknown, fallback: number): number =>
  typeof value === "number" ? value : fallback;

/** A pen with every method `penSgr` reads; undefined if xterm's internals changed shape. */
export function pen(data: Partial<AttributeData> | undefined): AttributeData | undefined {
  return typeof data?.fg === "number" && typeof data.bg === "number" && typeof data.isBold === "function"
    ? (data as AttributeData)
    : undefined;
}

/** The pen text is drawn in now. */
export const currentPen = (terminal: headless.Terminal): AttributeData | undefined =>
  pen(core(terminal)?._inputHandler?._curAttrData);
