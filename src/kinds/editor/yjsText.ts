/**
 * The document of an editor session as Yjs holds it: one `Y.Text` named `text`. Helpers that
 * rebuild it from the log and turn plain edits into CRDT operations, shared by hub and host.
 */
import * as Y from "yjs";
import type { SessionEvent } from "../../protocol/events.js";

/** The shared type's name inside the Y.Doc (y-codemirror binds the same one). */
export const TEXT_NAME = "text";

export function textOf(doc: Y.Doc): Y.Text {
  return doc.getText(TEXT_NAME);
}

export function toBase64(bytes: Uint8Array): string {
  return Buffer.from(bytes).toString("base64");
}

export function fromBase64(text: string): Uint8Array {
  return new Uint8Array(Buffer.from(text, "base64"));
}

/**
 * Applies an update from outside after checking it decodes; a malformed one throws before
 * the document is touched (Yjs would otherwise fail half-way through).
 */
export function applyChecked(doc: Y.Doc, update: Uint8Array, origin: unknown): void {
  Y.decodeUpdate(update);
  Y.applyUpdate(doc, update, origin);
}

/** Replaces the text by `next` with the smallest middle change (common prefix and suffix kept). */
export function replaceText(doc: Y.Doc, next: string, origin: unknown): void {
  const text = textOf(doc);
  const current = text.toString();
  if (current === next) return;
  let start = 0;
  const max = Math.min(current.length, next.length);
  while (start < max && current.charCodeAt(start) === next.charCodeAt(start)) start++;
  let end = 0;
  while (
    end < max - start &&
    current.charCodeAt(current.length - 1 - end) === next.charCodeAt(next.length - 1 - end)
  )
    end++;
  doc.transact(() => {
    text.delete(start, current.length - end - start);
    text.insert(start, next.slice(start, next.length - end));
  }, origin);
}

/** The document rebuilt from a session's events, up to `seq` (inclusive; all when absent). */
export function docFromEvents(
  events: Iterable<SessionEvent>,
  seq = Number.POSITIVE_INFINITY,
  doc = new Y.Doc(),
): Y.Doc {
  for (const event of events) {
    if (event.seq > seq) break;
    if (event.type !== "update") continue;
    const data = (event as { data: { update?: unknown } }).data;
    if (typeof data.update !== "string") continue;
    try {
      applyChecked(doc, fromBase64(data.update), "log");
    } catch {
      // A stored update the host accepted decodes; one that does not is skipped, not fatal.
    }
  }
  return doc;
}
