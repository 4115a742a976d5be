/**
 * One change of an editor's text said in words (`replaced 0-5 with "HELLO"`), for the CLI's
 * `edit --history` and the web's History line alike. Free of schemas, so the web UI can import
 * it without zod; the shapes are those of `TextChange` in `events.ts`.
 */

/** One piece of a change, over the text just before it; `more`: inserted characters not sent. */
export interface ChangePiece {
  from: number;
  to: number;
  insert: string;
  more?: number | undefined;
}

export interface ChangeSaid {
  pieces: readonly ChangePiece[];
  /** Pieces not sent (a script's thousand edits at once). */
  morePieces?: number | undefined;
}

/**
 * What a change did, its pieces joined by "; ". An insert longer than `shown` characters is cut
 * there and the rest counted with what the hub already left out.
 */
export function whatChanged(change: ChangeSaid, shown = Number.POSITIVE_INFINITY): string {
  const what = change.pieces.map((piece) => {
    const cut = piece.insert.length > shown ? piece.insert.length - shown : 0;
    const more = cut + (piece.more ?? 0);
    const text = `${JSON.stringify(piece.insert.slice(0, piece.insert.length - cut))}${more > 0 ? ` (and ${more} more characters)` : ""}`;
    if (piece.from === piece.to) return `inserted ${text} at ${piece.from}`;
    if (piece.insert === "" && !piece.more) return `deleted ${piece.from}-${piece.to}`;
    return `replaced ${piece.from}-${piece.to} with ${text}`;
  });
  if (change.morePieces) what.push(`and ${change.morePieces} more edits`);
  return what.length > 0 ? what.join("; ") : "no change to the text";
}
