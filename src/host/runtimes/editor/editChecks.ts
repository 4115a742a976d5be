/**
 * The checks an `edits` request passes before anything changes: an edit runs forwards, none
 * overlap, each inserts whole characters, and, against the text it applies to, each ends
 * within it and cuts no surrogate pair. Apart from `EditorRuntime`: they need only the edits
 * and the text, and a refused request leaves the document as it was ("nothing was changed").
 */
import { DispatchError } from "../../../core/errors.js";
import type { PlainEdit } from "./EditHistory.js";
import { describeCharacter, loneHalfAt, splitsPair } from "./surrogates.js";

/** `edits` in ascending order, refused when one runs backwards, two overlap or one holds half a character. */
export function orderedEdits(edits: readonly PlainEdit[]): PlainEdit[] {
  const ascending = [...edits].sort((a, b) => a.from - b.from || a.to - b.to);
  let limit = 0;
  for (const edit of ascending) {
    if (edit.from > edit.to)
      throw new DispatchError("bad_request", `edit ${edit.from}-${edit.to}: 'from' is after 'to'`);
    if (edit.from < limit)
      throw new DispatchError("bad_request", `edits overlap at ${edit.from}; nothing was changed`);
    limit = edit.to;
    const half = loneHalfAt(edit.insert);
    if (half !== -1) {
      throw new DispatchError(
        "bad_request",
        `edit ${edit.from}-${edit.to}: its text holds half a character (a lone UTF-16 surrogate at ${half} of it), which cannot be stored; send whole characters (in JSON both halves of a pair, as "\\ud83d\\ude00"); nothing was changed`,
      );
    }
  }
  return ascending;
}

/**
 * Refuses ascending `edits` (positions in `text`) that run past its end or cut a pair; `asked`
 * are the same edits as sent (before a rebase moved them), for the message.
 */
export function refuseOutside(text: string, edits: readonly PlainEdit[], asked: readonly PlainEdit[]): void {
  const last = edits.at(-1);
  if (last && last.to > text.length) {
    throw new DispatchError(
      "bad_request",
      `edit ${last.from}-${last.to} is past the end of the text (${text.length} characters); nothing was changed`,
    );
  }
  for (const [i, edit] of edits.entries()) refuseSplit(text, edit, asked[i] ?? edit);
}

/** Refuses an edit whose `from` or `to` falls inside a surrogate pair of `text` (`asked`: as sent). */
function refuseSplit(
  text: string,
  edit: { from: number; to: number },
  asked: { from: number; to: number },
): void {
  for (const [position, sent] of [
    [edit.from, asked.from],
    [edit.to, asked.to],
  ] as const) {
    if (!splitsPair(text, position)) continue;
    throw new DispatchError(
      "bad_request",
      `edit ${asked.from}-${asked.to}: position ${sent} splits the character ${describeCharacter(text, position - 1)}, which takes two positions (positions count UTF-16 code units, as in JavaScript); use ${sent - 1} (before it) or ${sent + 1} (after it); nothing was changed`,
    );
  }
}
