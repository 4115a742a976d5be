/**
 * What the hub's half of the editor kind does with Yjs (snapshot, revive, the text at a seq,
 * who changed what), loaded on first use (`index.ts`): an idle hub with no editor session holds
 * no Yjs.
 */
import * as Y from "yjs";
import type { SessionEvent } from "../../protocol/events.js";
import type { TextChange, TextPiece } from "./events.js";
import { applyChecked, docFromEvents, fromBase64, textOf, toBase64 } from "./yjsText.js";

/** The document's state after `events`, from a previous snapshot's state. */
export function foldSnapshot(previous: string | undefined, events: Iterable<SessionEvent>): string {
  const doc = new Y.Doc();
  if (previous) Y.applyUpdate(doc, fromBase64(previous));
  return toBase64(Y.encodeStateAsUpdate(docFromEvents(events, undefined, doc)));
}

/** The whole document rebuilt from the log, as a Yjs update (base64). */
export function stateOf(events: Iterable<SessionEvent>): string {
  return toBase64(Y.encodeStateAsUpdate(docFromEvents(events)));
}

/** The text as it was at `seq`. */
export function textAt(events: Iterable<SessionEvent>, seq: number): string {
  return textOf(docFromEvents(events, seq)).toString();
}

/** Inserted text shown per piece of a change: a loaded file is not repeated whole. */
const INSERT_SHOWN = 200;
/** Pieces shown per change (a script's thousand edits at once are summed up, not listed). */
const PIECES_SHOWN = 20;

/**
 * Every change of the text, oldest first: who made it and what it did, as `{from, to, insert}`
 * pieces over the text just before it (the `edits` command's terms). The client name alone
 * left "who changed what" to diffing the text at each seq by hand.
 */
export function changesOf(events: Iterable<SessionEvent>): TextChange[] {
  const doc = new Y.Doc();
  const text = textOf(doc);
  let pieces: TextPiece[] = [];
  let more = 0;
  text.observe((event) => {
    let old = 0;
    for (const op of event.delta) {
      if (op.retain !== undefined) {
        old += op.retain;
        continue;
      }
      const last = pieces.at(-1);
      // A replacement is a delete then an insert at the same place: one piece.
      const joins = last !== undefined && last.to === old && (op.insert === undefined || last.insert === "");
      let piece: TextPiece | undefined = joins ? last : undefined;
      if (!piece) {
        if (pieces.length >= PIECES_SHOWN) {
          more++;
          if (op.delete !== undefined) old += op.delete;
          continue;
        }
        piece = { from: old, to: old, insert: "" };
        pieces.push(piece);
      }
      if (op.delete !== undefined) {
        old += op.delete;
        piece.to = old;
      } else if (typeof op.insert === "string") {
        const room = INSERT_SHOWN - piece.insert.length;
        if (op.insert.length > room) piece.more = (piece.more ?? 0) + op.insert.length - Math.max(room, 0);
        if (room > 0) piece.insert += op.insert.slice(0, room);
      }
    }
  });
  const changes: TextChange[] = [];
  for (const event of events) {
    if (event.type !== "update") continue;
    const data = event.data as { update?: unknown; client?: unknown };
    pieces = [];
    more = 0;
    try {
      if (typeof data.update === "string") applyChecked(doc, fromBase64(data.update), "log");
    } catch {
      // Skipped as `docFromEvents` skips it; the change is still listed, with nothing in it.
    }
    changes.push({
      seq: event.seq,
      ts: event.ts,
      client: String(data.client ?? ""),
      pieces,
      ...(more > 0 ? { morePieces: more } : {}),
    });
  }
  return changes;
}
