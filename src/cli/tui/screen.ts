/**
 * Escape sequences the terminal client writes, and fitting text into a row. Pure strings.
 */

export const ENTER_ALT_SCREEN = "\x1b[?1049h";
export const LEAVE_ALT_SCREEN = "\x1b[?1049l";
export const HIDE_CURSOR = "\x1b[?25l";
export const SHOW_CURSOR = "\x1b[?25h";
export const CLEAR_SCREEN = "\x1b[H\x1b[2J";
export const CLEAR_LINE = "\x1b[2K";
export const INVERSE = "\x1b[7m";
export const BOLD = "\x1b[1m";
export const DIM = "\x1b[2m";
export const RESET_ATTRIBUTES = "\x1b[0m";
/** DECSC/DECRC: setting a scroll region homes the cursor, so it is saved around that. */
export const SAVE_CURSOR = "\x1b7";
export const RESTORE_CURSOR = "\x1b8";

/** Cursor to `row`, `col` (1-based). */
export function moveTo(row: number, col = 1): string {
  return `\x1b[${row};${col}H`;
}

/** Rows `top`..`bottom` (1-based) scroll; the rows outside keep still. */
export function scrollRegion(top: number, bottom: number): string {
  return `\x1b[${top};${bottom}r`;
}

/** Whole-screen scrolling again (homes the cursor). */
export const RESET_SCROLL_REGION = "\x1b[r";

/** Escape sequences and control characters out: what is left prints as one row. */
export function plainText(text: string): string {
  return text
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g, "")
    .replace(/[\x00-\x1f\x7f]/g, "");
}

/** `text` cut (with `…`) or padded to exactly `width` columns (one column per code point). */
export function fitWidth(text: string, width: number): string {
  if (width <= 0) return "";
  const chars = [...text];
  if (chars.length > width) return `${chars.slice(0, Math.max(0, width - 1)).join("")}…`;
  return text + " ".repeat(width - chars.length);
}

/** `── title ─────` across `cols`: the rule fills the row, only a title too long is cut (with …). */
export function ruleWithTitle(title: string, cols: number): string {
  const head = fitWidth(`── ${title} `, cols).trimEnd();
  const used = [...head].length;
  return used >= cols ? head : `${head} ${"─".repeat(Math.max(0, cols - used - 1))}`;
}

/** `text` broken into rows of at most `width` columns, at spaces where it can (help screens). */
export function wrapWidth(text: string, width: number): string[] {
  const rows: string[] = [];
  let rest = [...text];
  while (rest.length > width && width > 0) {
    const space = rest.lastIndexOf(" ", width);
    const cut = space > 0 ? space : width;
    rows.push(rest.slice(0, cut).join("").trimEnd());
    rest = rest.slice(space > 0 ? cut + 1 : cut);
  }
  rows.push(rest.join(""));
  return rows;
}
