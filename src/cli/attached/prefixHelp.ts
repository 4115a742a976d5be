/** The prefix-key commands of attached mode: what `?` shows and `dispatch help keys` prints. */
import { fitWidth, wrapWidth } from "../tui/screen.js";

const PRESS_ANY_KEY = "press any key";

export function prefixHelp(prefix: string, detach: string | undefined): string[] {
  return [
    `Attached to a session: press ${prefix}, then`,
    "",
    "  n      new session (your defaults), switch to it",
    "  ]  [   next / previous running session",
    "  s      session picker",
    "  h PgUp older output: page back through the stored log (q returns)",
    "  w      close: kill this session (asks first)",
    "  r      rename this session",
    "  d      detach (the session keeps running)",
    "  ?      this help",
    `  ${prefix.padEnd(6)} send ${prefix} itself to the session`,
    "  Esc    nothing (cancel)",
    "",
    detach ? `${detach} alone detaches at once.` : "No detach key is set: use the prefix, then d.",
    'Change the keys in the config file: [keys] prefix = "ctrl-a", detach = "ctrl-\\\\" (see `dispatch help config`).',
  ];
}

/**
 * The rows `?` draws on a terminal of `size`: the help wrapped to its width, then "press any
 * key". On a terminal too short for it all (under ~20 rows) the blank lines go, then the lines
 * from the end (the key list comes first), and the last row says how many are cut and where
 * they all are: a row more than the screen holds would scroll the help's top away.
 */
export function helpScreen(lines: readonly string[], size: { cols: number; rows: number }): string[] {
  const wrap = (list: readonly string[]) => list.flatMap((line) => wrapWidth(line.trimEnd(), size.cols));
  const full = [...wrap(lines), "", PRESS_ANY_KEY];
  if (full.length <= size.rows) return full;
  const dense = wrap(lines.filter((line) => line.trim() !== ""));
  const room = Math.max(0, size.rows - 1);
  if (dense.length <= room) return [...dense, PRESS_ANY_KEY];
  const cut = dense.length - room;
  const footer = `${PRESS_ANY_KEY} (${cut} more line${cut === 1 ? "" : "s"}: dispatch help keys)`;
  return [...dense.slice(0, room), fitWidth(footer, size.cols).trimEnd()];
}
