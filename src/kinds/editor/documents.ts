/**
 * What the hub's half of the editor kind does with Yjs (snapshot, revive, the text at a seq),
 * loaded on first use (`index.ts`): an idle hub with no editor session holds no Yjs.
 */
import * as Y from "yjs";
import type { SessionEvent } from "../../protocol/events.js";
import { docFromEvents, fromBase64, textOf, toBase64 } from "./yjsText.js";

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
