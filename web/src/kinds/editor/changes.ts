/**
 * The history slider's "who changed what": the `history` command's changes (shapes as
 * `TextChange` in `src/kinds/editor/events.ts`, whose zod the web does not load) and one change
 * said as a line, `alice · 10:42 · replaced 0-5 with "HELLO"` (the CLI's `--history` in short).
 */
import { type ChangeSaid, whatChanged } from "../../../../src/kinds/editor/changeWords.js";

/** A change as `history` answers it: when, who, and what (`ChangeSaid`). */
export interface TextChange extends ChangeSaid {
  seq: number;
  ts: number;
  client: string;
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
  return `${change.client} · ${when} · ${whatChanged(change, INSERT_SHOWN)}`;
}
