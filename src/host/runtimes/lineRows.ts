/**
 * The rows of a line that holds newlines (a paste, a cell recalled whole), as places in its
 * characters: where the cursor's row starts and ends, and where Up and Down put the cursor on
 * the row above or below (the same column, or that row's end when it is shorter).
 */

/** Where the row `cursor` is on starts. */
export function rowStart(chars: readonly string[], cursor: number): number {
  return cursor === 0 ? 0 : chars.lastIndexOf("\n", cursor - 1) + 1;
}

/** Where the row `cursor` is on ends (its newline, or the line's end). */
export function rowEnd(chars: readonly string[], cursor: number): number {
  const next = chars.indexOf("\n", cursor);
  return next < 0 ? chars.length : next;
}

/** The cursor's place on the row above, or undefined on the first row. */
export function rowAbove(chars: readonly string[], cursor: number): number | undefined {
  const start = rowStart(chars, cursor);
  if (start === 0) return undefined;
  const above = rowStart(chars, start - 1);
  return Math.min(above + (cursor - start), start - 1);
}

/** The cursor's place on the row below, or undefined on the last row. */
export function rowBelow(chars: readonly string[], cursor: number): number | undefined {
  const end = rowEnd(chars, cursor);
  if (end === chars.length) return undefined;
  return Math.min(end + 1 + (cursor - rowStart(chars, cursor)), rowEnd(chars, end + 1));
}
