/**
 * What a revive makes of the buffer it rebuilt from the log, against the file as it is now: a
 * decision on texts and hashes alone, so each case can be told apart and tested without a
 * session; `DiskTracker.afterRevive` carries it out.
 *
 * The buffer's edits are saved if the disk has not moved since `hash`, the file's hash when the
 * log was written. Never what nobody edited: a text that differs from the file only where an
 * older host's load turned halves of pairs into U+FFFD (`lostHalves`) takes the file's
 * characters back, and nothing is written; edits made over such damage are not saved unasked
 * but shown as a conflict, for the person to choose.
 */
import { type DiskText, hashText } from "./fileContent.js";
import { type LostRange, lostHalves, replacementCount } from "./surrogates.js";

export type ReviveOutcome =
  /** The buffer is the file: clean as it is. */
  | { action: "keep"; reason: string }
  /** Nothing unsaved, and the file changed meanwhile: the buffer takes the file's text. */
  | { action: "load"; reason: string }
  /** Only characters the log had lost differ: these ranges take the file's characters back. */
  | { action: "restore"; ranges: LostRange[]; reason: string }
  /** Edits made on the file as it still is: saved. */
  | { action: "save" }
  /** Edits against a file that moved, or over lost characters: a conflict; `base` ends it. */
  | { action: "conflict"; base: string | undefined; reason: string };

/**
 * The outcome for the revived `buffer`, given `saved` (the file's text as loaded at open) and
 * `disk` (the file now), and `hash`, the file's hash the log last saw.
 */
export function reviveOutcome(
  buffer: string,
  saved: string,
  disk: DiskText,
  hash: string | undefined,
): ReviveOutcome {
  if (buffer === saved) return { action: "keep", reason: "revived" };
  // Nothing unsaved (the buffer is the file as last loaded or saved), and the file changed
  // while the session was down (`git checkout` between `down` and `up`): loaded, as a clean
  // buffer's file is when it changes under a running session.
  if (hash && savedAs(buffer, hash)) {
    return { action: "load", reason: "revived; the file changed on disk meanwhile and was loaded" };
  }
  const lost = lostHalves(buffer, disk.text);
  if (lost) {
    return {
      action: "restore",
      ranges: lost,
      reason: "revived; characters the log had lost were taken from the file",
    };
  }
  const damaged = replacementCount(buffer) > replacementCount(disk.text);
  if (!damaged && (!hash || hash === disk.hash)) return { action: "save" };
  if (damaged) {
    return {
      action: "conflict",
      base: undefined,
      reason:
        "revived with characters the log had lost (U+FFFD) among its edits; resolve to choose what to keep",
    };
  }
  return { action: "conflict", base: hash, reason: "revived; the file changed on disk meanwhile" };
}

/** Whether `text` saved (with or without a byte order mark) has the file hash `hash`. */
export function savedAs(text: string, hash: string): boolean {
  return hashText(text) === hash || hashText(`\ufeff${text}`) === hash;
}
