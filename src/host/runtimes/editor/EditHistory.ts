/**
 * Where the text was at a recent seq, so a script's edits made against an older read of the
 * text (`edits {baseSeq}`) land where their author meant although others typed meanwhile.
 *
 * For every update the document logs it keeps the state after it (clock per Yjs client) and
 * the characters it deleted. A character of the live `Y.Text` was in the text at seq S when
 * it had been inserted by then (its clock is below S's state) and not yet deleted (it is not
 * deleted now, or its deletion came in an update after S). Walking the text's items once
 * therefore maps positions in the text at S to positions now, and tells whether a range the
 * edit replaces was changed meanwhile (then the edit is refused rather than guessed).
 *
 * Pure Yjs, no I/O: the runtime feeds it `record(seq, transaction)` after each logged update.
 */
import * as Y from "yjs";
import { DispatchError } from "../../../core/errors.js";

/** Updates remembered; an edit based on an older seq is refused (re-read the text). */
export const EDIT_HISTORY_UPDATES = 4096;

interface Range {
  clock: number;
  len: number;
}

interface Entry {
  seq: number;
  /** Clock per Yjs client after this update. */
  state: Map<number, number>;
  /** What this update deleted, per client. */
  deleted: Map<number, Range[]>;
}

export interface PlainEdit {
  from: number;
  to: number;
  insert: string;
}

/** A run of characters of one item that were, and are, in the text or not. */
interface Segment {
  wasVisible: boolean;
  isVisible: boolean;
  len: number;
}

export class EditHistory {
  private readonly entries: Entry[] = [];
  /** The state at the oldest seq still answerable. */
  private floor: Entry;

  constructor(
    private readonly text: Y.Text,
    seq: number,
    private readonly limit = EDIT_HISTORY_UPDATES,
  ) {
    const state = text.doc ? Y.decodeStateVector(Y.encodeStateVector(text.doc)) : new Map<number, number>();
    this.floor = { seq, state, deleted: new Map() };
  }

  /** Called after each update the document logged, with the seq it got. */
  record(seq: number, transaction: Y.Transaction): void {
    const deleted = new Map<number, Range[]>();
    for (const [client, ranges] of transaction.deleteSet.clients) {
      deleted.set(
        client,
        ranges.map((r) => ({ clock: r.clock, len: r.len })),
      );
    }
    this.entries.push({ seq, state: new Map(transaction.afterState), deleted });
    if (this.entries.length > this.limit) this.floor = this.entries.shift() as Entry;
  }

  /** The newest seq whose update changed the document (edits based on it need no rebase). */
  get latestSeq(): number {
    return this.entries.at(-1)?.seq ?? this.floor.seq;
  }

  /**
   * `edits` (positions in the text as it was at `baseSeq`, sorted by `from`, no overlaps, so
   * the last ends last)
   * as positions in the text now. Throws `conflict` when the edit history no longer reaches
   * back to `baseSeq`, or when text an edit replaces was changed or deleted since then.
   */
  rebase(edits: readonly PlainEdit[], baseSeq: number): PlainEdit[] {
    if (baseSeq >= this.latestSeq) return [...edits];
    if (baseSeq < this.floor.seq) {
      throw new DispatchError(
        "conflict",
        `the edits are based on seq ${baseSeq}, older than the history this editor keeps (from seq ${this.floor.seq}); read the text again and redo them`,
      );
    }
    const segments = this.segments(baseSeq);
    const baseLength = segments.reduce((sum, s) => sum + (s.wasVisible ? s.len : 0), 0);
    const last = edits.at(-1);
    if (last && last.to > baseLength) {
      throw new DispatchError(
        "bad_request",
        `edit ${last.from}-${last.to} is past the end of the text at seq ${baseSeq} (${baseLength} characters); nothing was changed`,
      );
    }
    const mapped: PlainEdit[] = [];
    let index = 0;
    let wasPos = 0;
    let isPos = 0;
    for (const edit of edits) {
      // Find the segment holding base position `edit.from`.
      while (index < segments.length) {
        const segment = segments[index] as Segment;
        const wasLen = segment.wasVisible ? segment.len : 0;
        if (segment.wasVisible && wasPos + wasLen > edit.from) break;
        wasPos += wasLen;
        isPos += segment.isVisible ? segment.len : 0;
        index++;
      }
      const from = isPos + (index < segments.length && segments[index]?.isVisible ? edit.from - wasPos : 0);
      if (edit.to === edit.from) {
        mapped.push({ from, to: from, insert: edit.insert });
        continue;
      }
      // Walk the replaced range: every base character in it must still be there, with nothing new between.
      let remaining = edit.to - edit.from;
      let offset = edit.from - wasPos;
      let to = from;
      let j = index;
      while (remaining > 0) {
        const segment = segments[j] as Segment | undefined;
        if (!segment) break;
        if (segment.wasVisible && !segment.isVisible) throw changed(edit, baseSeq, "deleted");
        if (!segment.wasVisible && segment.isVisible) throw changed(edit, baseSeq, "inserted into");
        if (segment.wasVisible) {
          const take = Math.min(segment.len - offset, remaining);
          remaining -= take;
          to += take;
        }
        offset = 0;
        j++;
      }
      mapped.push({ from, to, insert: edit.insert });
    }
    return mapped;
  }

  /** The text's characters in order, as runs that were visible at `baseSeq` and are now. */
  private segments(baseSeq: number): Segment[] {
    let base = this.floor;
    const later = new Map<number, Range[]>();
    for (const entry of this.entries) {
      if (entry.seq <= baseSeq) {
        base = entry;
        continue;
      }
      for (const [client, ranges] of entry.deleted) {
        const list = later.get(client) ?? [];
        list.push(...ranges);
        later.set(client, list);
      }
    }
    for (const list of later.values()) list.sort((a, b) => a.clock - b.clock);
    const segments: Segment[] = [];
    for (let item = this.text._start; item !== null; item = item.right) {
      if (!item.countable) continue;
      const { client, clock } = item.id;
      const known = base.state.get(client) ?? 0;
      // Cut points inside the item: the base state's clock and the later deletions' edges.
      const cuts = new Set<number>([clock, clock + item.length]);
      if (known > clock && known < clock + item.length) cuts.add(known);
      for (const r of later.get(client) ?? []) {
        for (const edge of [r.clock, r.clock + r.len]) {
          if (edge > clock && edge < clock + item.length) cuts.add(edge);
        }
      }
      const points = [...cuts].sort((a, b) => a - b);
      for (let k = 0; k + 1 < points.length; k++) {
        const start = points[k] as number;
        const len = (points[k + 1] as number) - start;
        const insertedBefore = start < known;
        const deletedLater = covers(later.get(client), start);
        const wasVisible = insertedBefore && (!item.deleted || deletedLater);
        push(segments, { wasVisible, isVisible: !item.deleted, len });
      }
    }
    return segments;
  }
}

function covers(ranges: Range[] | undefined, clock: number): boolean {
  if (!ranges) return false;
  let low = 0;
  let high = ranges.length - 1;
  while (low <= high) {
    const mid = (low + high) >> 1;
    const r = ranges[mid] as Range;
    if (clock < r.clock) high = mid - 1;
    else if (clock >= r.clock + r.len) low = mid + 1;
    else return true;
  }
  // A character is deleted once, so the ranges never overlap and the search is exact.
  return false;
}

function push(segments: Segment[], next: Segment): void {
  const last = segments.at(-1);
  if (last && last.wasVisible === next.wasVisible && last.isVisible === next.isVisible) last.len += next.len;
  else if (next.len > 0 && (next.wasVisible || next.isVisible)) segments.push(next);
}

function changed(edit: PlainEdit, baseSeq: number, how: string): DispatchError {
  return new DispatchError(
    "conflict",
    `edit ${edit.from}-${edit.to}: that text was ${how} by someone else since seq ${baseSeq}; read the text again and redo it`,
  );
}
