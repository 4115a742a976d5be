/**
 * A session's screen as the text a snapshot stores: the serialize addon's output, put right
 * where it draws wrong (here, and the coloured rows it drops: `trailingBackground`), then what
 * it leaves out (`serializeExtras`).
 *
 * The addon ends each buffer it serializes with the terminal's current pen (SGR), so the next
 * output is drawn in it. On the alternate screen that pen comes after the normal buffer's part
 * too, before `CSI ?1049h CSI H`, and the alternate screen's cells are then drawn from it: vim
 * re-attached while a bold or visual-mode pen was set came back bold or grey throughout. The
 * pen is reset where the alternate screen starts (the addon emits that pair once, and cells
 * never hold ESC); the alternate part still ends with the pen. The normal screen's saved cursor
 * (its pen and set, restored on leaving) is saved there again (`savedCursor.alternateEntry`).
 */
import type serializeAddon from "@xterm/addon-serialize";
import type headless from "@xterm/headless";
import { alternateEntry } from "./savedCursor.js";
import { serializeExtras } from "./serializeExtras.js";
import { trailingBackground } from "./trailingBackground.js";

const ALTERNATE_SCREEN_START = "\x1b[?1049h\x1b[H";

export function serializeScreen(
  terminal: headless.Terminal,
  serializer: serializeAddon.SerializeAddon,
  scrollback: number,
): string {
  const screen = serializer.serialize({ scrollback });
  const background = trailingBackground(terminal);
  const start = screen.indexOf(ALTERNATE_SCREEN_START);
  let fixed: string;
  if (start >= 0) {
    const alternate = start + ALTERNATE_SCREEN_START.length;
    // Entering saves the normal screen's cursor: with the pen and set it saved when vim started.
    const entry = alternateEntry(terminal);
    fixed = `${screen.slice(0, start)}${entry.before}${ALTERNATE_SCREEN_START}${entry.after}${background}${screen.slice(alternate)}`;
  } else {
    // With scrollback the addon draws every row (the coloured ones too), scrolling as it goes.
    fixed = terminal.buffer.active.baseY === 0 ? background + screen : screen;
  }
  return fixed + serializeExtras(terminal);
}
