/**
 * The history slider's "who changed what": the `history` command's changes (shapes as
 * `TextChange` in `src/kinds/editor/events.ts`, which the web may not import) and one change
 * said as a line, `alice · 10:42 · replaced 0-5 with "HELLO"` (the CLI's `--history` in short).
 */

/** One piece of a change, over the text just before it; `more`: inserted characters not sent. */
export interface TextPiece {
  from: number;
  to: number;
  insert: string;
  more?: number;
}

export interface TextChange {
  seq: number;
  ts: number;
  client: string;
  pieces: TextPiece[];
  /** Pieces not sent (a script's thousand edits at once). */
  morePieces?: number;
}

/** Characters of an insert shown in the line; the rest is counted, as the hub does past 200. */
const INSERT_SHOWN = 60;

/** The newest change included in the text at `seq` (the `at` command's), or undefined before any. */
export function changeAt(changes: readonly TextChange[], seq: number): TextChange | undefined {
  let found: TextChange | undefined;
  for (const change of changes) {
    if (change.seq > seq) break;
    found = change;
  }
  return found;
}

/** `who · when · what`, the time as the page's clock reads it (HH:MM). */
export function describeChange(change: TextChange): string {
  const when = new Date(change.ts).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  });
  return `${change.client} · ${when} · ${whatChanged(change)}`;
}

function whatChanged(change: TextChange): string {
  const what = change.pieces.map((piece) => {
    const cut = piece.insert.length > INSERT_SHOWN ? piece.insert.length - INSERT_SHOWN : 0;
    const more = cut + (piece.more ?? 0);
    const shown = `${JSON.stringify(piece.insert.slice(0, piece.insert.length - cut))}${more > 0 ? ` (and ${more} more characters)` : ""}`;
    if (piece.from === piece.to) return `inserted ${shown} at ${piece.from}`;
    if (piece.insert === "" && !piece.more) return `deleted ${piece.from}-${piece.to}`;
    return `replaced ${piece.from}-${piece.to} with ${shown}`;
  });
  if (change.morePieces) what.push(`and ${change.morePieces} more edits`);
  return what.length > 0 ? what.join("; ") : "no change to the text";
}
