/**
 * How stored output becomes searchable lines, and how a query's words match a line: shared by
 * both engines' search indexes so they find the same lines.
 */
import { completeLines, plainLines } from "../core/plainText.js";

/** A line still open after this many characters is indexed as it is (a runaway line without `\n`). */
const MAX_CARRY_CHARS = 4096;
/** More words than this in one search are ignored (the query stays small). */
const MAX_WORDS = 16;

/**
 * Accents: the combining marks Unicode's canonical decomposition splits off a letter (é is e and
 * U+0301), in the blocks that hold diacritics. Not every mark: Devanagari's vowel signs or the
 * kana's voicing marks change the letter, so `हि` stays apart from `ह` and `が` from `か`.
 */
const ACCENTS = /[\u0300-\u036f\u1ab0-\u1aff\u1dc0-\u1dff\u20d0-\u20ff\ufe20-\ufe2f]/gu;
/** Any character outside ASCII, where folding has more to do than lower case. */
const NON_ASCII = /\P{ASCII}/u;

/**
 * Text as search compares it: lower case, accents removed, so `cafe` finds `Café` and `café`
 * finds `CAFE`, as a browser's or an editor's find does. The one rule both engines index and
 * query with (SQLite's FTS5 is fed folded text, PostgreSQL keeps a folded column); lines are
 * still shown and stored as they were, only compared folded.
 */
export function foldText(text: string): string {
  const lower = text.toLowerCase();
  // Most terminal output is ASCII: nothing to decompose.
  if (!NON_ASCII.test(lower)) return lower;
  return lower.normalize("NFD").replace(ACCENTS, "").normalize("NFC");
}

/** Whether `text` is all ASCII (folding it is only lower case). */
export function isAscii(text: string): boolean {
  return !NON_ASCII.test(text);
}

/** The words of a search pattern (letters and digits), folded; empty when it has none. */
export function searchWords(pattern: string): string[] {
  return wordsOf(foldText(pattern)).slice(0, MAX_WORDS);
}

/**
 * Runs of letters, digits and the marks that are part of a letter (a Devanagari vowel sign), in
 * folded text: what FTS5 takes as a token too (`searchSchema.ts`, categories 'L* M* N*').
 */
function wordsOf(folded: string): string[] {
  return folded.match(/[\p{L}\p{M}\p{N}]+/gu) ?? [];
}

/**
 * The plain-text lines one output event completes (blank ones left out), given the raw start
 * of a line left open by the events before it (`carry`); returns the new carry. A line ends at
 * a newline or where the cursor moves to another row (a full-screen app's rows).
 */
export function completedLines(carry: string, text: string): { lines: string[]; carry: string } {
  const { lines, open } = completeLines(carry + text);
  const runaway = open.length > MAX_CARRY_CHARS;
  if (runaway) lines.push(...plainLines(open));
  return { lines: lines.filter((line) => line !== ""), carry: runaway ? "" : open };
}

/** Whether every word (`searchWords`) starts some word of `line` folded (what an index matched, narrowed to one line). */
export function lineHasWords(line: string, words: readonly string[]): boolean {
  // Cheap first: most lines of a matching row hold none of the words.
  const folded = foldText(line);
  if (!words.every((word) => folded.includes(word))) return false;
  const own = wordsOf(folded);
  return words.every((word) => own.some((w) => w.startsWith(word)));
}

/** A session with output not yet indexed, and where its indexing stopped. */
export interface PendingIndex {
  id: string;
  last_seq: number;
  seq: number | null;
  carry: string | null;
}

/** The reads and writes one engine does for `indexPending` (inside its transaction). */
export interface IndexIo {
  pending(): Iterable<PendingIndex>;
  /** Events after `afterSeq`, output as bytes or already decoded (UTF-8, invalid bytes replaced). */
  readEvents(
    session: string,
    afterSeq: number,
    limit: number,
  ): { seq: number; ts: number; type: string; data: Uint8Array | string }[];
  insertLines(session: string, seq: number, ts: number, text: string): void;
  putCursor(session: string, seq: number, carry: string): void;
}

/** Events read per session per step while catching up. */
const EVENTS_PER_READ = 500;

/**
 * Indexes stored output not yet indexed, at most about `maxEvents` events: each completed
 * line under its event's seq, the open line kept as the session's carry. Both engines' rule;
 * returns whether more is left.
 */
export function indexPending(io: IndexIo, decoder: TextDecoder, maxEvents: number): boolean {
  let budget = maxEvents;
  let more = false;
  for (const pending of io.pending()) {
    if (budget <= 0) {
      more = true;
      break;
    }
    const limit = Math.min(budget, EVENTS_PER_READ);
    const events = io.readEvents(pending.id, pending.seq ?? 0, limit);
    budget -= Math.max(events.length, 1);
    let carry = pending.carry ?? "";
    let cursor = pending.seq ?? 0;
    for (const event of events) {
      cursor = event.seq;
      if (event.type !== "output") continue;
      const text = typeof event.data === "string" ? event.data : decoder.decode(event.data);
      const done = completedLines(carry, text);
      carry = done.carry;
      if (done.lines.length > 0) io.insertLines(pending.id, event.seq, event.ts, done.lines.join("\n"));
    }
    // Events compacted away before they were indexed: move on to the oldest stored one.
    if (events.length === 0) cursor = pending.last_seq;
    io.putCursor(pending.id, cursor, carry);
    if (events.length === limit && cursor < pending.last_seq) more = true;
  }
  return more;
}
