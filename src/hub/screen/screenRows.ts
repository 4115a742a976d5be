/**
 * The last lines of a screen as text, for the picker's preview: what the screen shows, not the
 * output read again without one (vim redrawing only the changed digits of its ruler, top and
 * less rewriting part of a row). Rows a long line wrapped onto are joined back into it; blank
 * rows below the last text are left out. Costs the rows read, whatever the scrollback.
 */
import type headless from "@xterm/headless";

export function screenRows(terminal: headless.Terminal, count: number): string[] {
  const buffer = terminal.buffer.active;
  let end = buffer.length - 1;
  // Blank rows at the bottom (a shell's screen below its prompt), down to the cursor's row.
  const cursorRow = buffer.baseY + buffer.cursorY;
  while (end > cursorRow && (buffer.getLine(end)?.translateToString(true) ?? "") === "") end--;
  const lines: string[] = [];
  let line = "";
  for (let y = end; y >= 0 && lines.length < count; y--) {
    const row = buffer.getLine(y);
    if (!row) break;
    line = row.translateToString(!line) + line;
    if (row.isWrapped) continue;
    lines.push(line.trimEnd());
    line = "";
  }
  return lines.reverse();
}
