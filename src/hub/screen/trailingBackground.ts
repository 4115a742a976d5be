/**
 * The rows below a screen's last character that hold only colour: a full-screen program's
 * background (dialog's blue, `clear` under a coloured pen, mc). The serialize addon stops after
 * the last row it sees content on when the buffer has no scrollback (the alternate screen
 * always), so those rows came back in the default colour. Each run of blank, coloured cells is
 * erased in its colour (ECH) before the addon draws the rest, from home with a reset pen as it
 * expects, so the addon's own ending still sets the cursor and pen.
 */
import type headless from "@xterm/headless";

/** xterm's colour modes (`IBufferCell.getBgColorMode`). */
const PALETTE_16 = 0x1000000;
const PALETTE_256 = 0x2000000;

type Cell = headless.IBufferCell;

function background(cell: Cell): string | undefined {
  const colour = cell.getBgColor();
  switch (cell.getBgColorMode()) {
    case PALETTE_16:
      return colour < 8 ? `${40 + colour}` : `${100 + colour - 8}`;
    case PALETTE_256:
      return `48;5;${colour}`;
    case 0:
      return undefined;
    default:
      return `48;2;${(colour >> 16) & 0xff};${(colour >> 8) & 0xff};${colour & 0xff}`;
  }
}

/**
 * Escape sequences that colour the blank cells below the last character, to be written before
 * the addon's rows; "" when none are coloured.
 */
export function trailingBackground(terminal: headless.Terminal): string {
  const buffer = terminal.buffer.active;
  const top = buffer.viewportY;
  let lastText = -1;
  for (let y = terminal.rows - 1; y >= 0 && lastText < 0; y--) {
    const line = buffer.getLine(top + y);
    if (line && line.translateToString(true) !== "") lastText = y;
  }
  let out = "";
  for (let y = lastText + 1; y < terminal.rows; y++) {
    const line = buffer.getLine(top + y);
    if (!line) continue;
    let x = 0;
    while (x < terminal.cols) {
      const colour = background(line.getCell(x) as Cell);
      let end = x + 1;
      while (end < terminal.cols && background(line.getCell(end) as Cell) === colour) end++;
      if (colour !== undefined) out += `\x1b[${y + 1};${x + 1}H\x1b[0;${colour}m\x1b[${end - x}X`;
      x = end;
    }
  }
  return out === "" ? "" : `${out}\x1b[0m\x1b[H`;
}
