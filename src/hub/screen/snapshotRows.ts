/**
 * The last lines of a stored snapshot's screen as text, without an emulator: the serialize
 * addon writes a screen's rows top to bottom, one after the other (colours, `CSI n C` over
 * empty cells, CRLF between rows, a wrapped row running on), and appends only cursor moves and
 * modes (`serializeExtras`). Read in order, it is the screen. Only the tail is read, so an idle
 * session's preview costs a stored row's read and a few lines' parse on the hub's thread, and
 * starts no worker nor keeps any screen.
 */
import { plainLines } from "../../core/plainText.js";
import type { Store } from "../../store/Store.js";
import { decodeScreen } from "./snapshotData.js";

/** The lines read: some to spare for a tail cut inside a row, and for rows a long line wrapped onto. */
const SPARE_LINES = 4;

export function snapshotRows(screen: string, count: number, rows: number): string[] {
  // The alternate screen (vim, less) is all that shows; it starts after the normal one.
  const alternate = screen.lastIndexOf("\x1b[?1049h");
  let start = Math.max(alternate, 0);
  // From the newline before the last lines wanted (and the blank rows a screen may end with).
  let cut = screen.length;
  for (let seen = 0; seen <= count + rows + SPARE_LINES && cut > start; seen++) {
    cut = screen.lastIndexOf("\n", cut - 1);
  }
  if (cut > start) start = cut + 1;
  const lines = plainLines(screen.slice(start));
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-count);
}

/**
 * The last `count` lines of a session idle since its latest stored snapshot (most sessions, and
 * all once the screen worker stopped), read there without starting the worker (a second or more
 * on a busy machine) or loading a screen (a third of a second for 2000 lines of scrollback)
 * nobody attached to. Else why not: it has no snapshot, or its screen must be loaded to read
 * them (output was stored after the snapshot, or the snapshot is in an unknown format).
 */
export function idleSnapshotRows(
  store: Store,
  session: string,
  count: number,
): string[] | "no snapshot" | "needs the screen" {
  const snapshot = store.latestSnapshot(session);
  if (!snapshot) return "no snapshot";
  // Events after it that draw nothing (an exit) leave its screen as it is.
  if (store.outputBytesAfter(session, snapshot.seq) > 0) return "needs the screen";
  const screen = decodeScreen(snapshot.data);
  return screen === undefined ? "needs the screen" : snapshotRows(screen, count, snapshot.rows);
}
