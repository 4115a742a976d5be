/**
 * How much text an editor can answer. Every answer travels to the hub as one host message of at
 * most `MAX_HOST_MESSAGE_BYTES` (8 MiB; `HostReplies` answers a larger one with an error). `text`
 * (what `dispatch cat`, scripts' `/text` and agents read) holds the whole text, so the editor
 * opens only files whose text fits in one answer: a person expects a file the editor opened to
 * be readable whole, and refusing it at open, saying why, beats opening it and failing every
 * read. A conflict's three texts (base, disk, buffer) take three times that; rather than keep
 * every editor to a third (2.6 MiB) for a rare view, a conflict too large to show is refused
 * with the ways to resolve it that need no large answer.
 */
import { mib } from "../../../core/byteSize.js";
import { DispatchError } from "../../../core/errors.js";
import { MAX_HOST_MESSAGE_BYTES } from "../../../protocol/host.js";

/** Room in an answer beside the text: the reply's envelope, seq, status and path (4 KiB, escaped). */
const REPLY_ENVELOPE_BYTES = 64 * 1024;
/** The most text one answer carries, as a JSON string (quotes and escapes included); also the largest file. */
export const MAX_REPLY_TEXT_BYTES = MAX_HOST_MESSAGE_BYTES - REPLY_ENVELOPE_BYTES;
/** A UTF-16 code unit takes at most this many bytes in JSON (a control character: `\u001b`). */
const MAX_JSON_BYTES_PER_UNIT = 6;

/** Bytes `text` takes as a JSON string. */
export function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text));
}

/** Whether `texts` fit in one answer together; most are far below, and need no encoding to tell. */
export function fitInReply(texts: readonly string[]): boolean {
  const bound = texts.reduce((sum, text) => sum + text.length * MAX_JSON_BYTES_PER_UNIT + 2, 0);
  if (bound <= MAX_REPLY_TEXT_BYTES) return true;
  return texts.reduce((sum, text) => sum + jsonBytes(text), 0) <= MAX_REPLY_TEXT_BYTES;
}

/** A file small enough on disk whose text, escaped, would not fit in an answer. */
export function tooLargeToOpen(path: string, text: string): DispatchError {
  return new DispatchError(
    "too_large",
    `${path} is ${mib(Buffer.byteLength(text))}, but ${mib(jsonBytes(text))} as text in a reply (tabs, newlines, quotes and control characters take two to six bytes each there); the editor opens files whose text fits in one answer from the host (${mib(MAX_REPLY_TEXT_BYTES)})`,
  );
}

/** The text grew past one answer after it was opened. */
export function textTooLarge(text: string): DispatchError {
  return new DispatchError(
    "too_large",
    `the text is now ${mib(jsonBytes(text))} as a reply, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one answer from the host carries, so it cannot be fetched whole; make it smaller, or save it and read the file on its host (editors are for files up to ${mib(MAX_REPLY_TEXT_BYTES)})`,
  );
}

/** A conflict whose three texts would not fit in one answer. */
export function conflictTooLarge(path: string, texts: readonly string[]): DispatchError {
  const bytes = texts.reduce((sum, text) => sum + jsonBytes(text), 0);
  return new DispatchError(
    "too_large",
    `${path}: the conflict's three texts (base, disk, buffer) come to ${mib(bytes)} as a reply, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one answer from the host carries, so they cannot be shown side by side; resolve it without them: 'resolve take=disk' reloads the file (dropping the buffer's unsaved edits), 'resolve take=buffer' keeps the buffer (a save then writes it over the file), or merge by hand (the buffer from 'dispatch cat', the file on disk) and 'resolve take=text'`,
  );
}
