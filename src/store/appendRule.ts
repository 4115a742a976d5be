/**
 * The append rule, one for both engines: a session's log takes only the event that continues
 * it (the next seq, or a gap starting right after the last), skips a replay of what it holds,
 * and refuses the rest. Each engine runs `planAppend` inside its own transaction and writes
 * what it returns; keeping the rule here keeps SQLite and PostgreSQL from drifting apart.
 */
import { isOutputEvent, type SessionEvent } from "../protocol/events.js";

/** Whether `event` continues a log whose last stored seq is `last` (the append rule, both engines). */
export function continuesLog(last: number, event: SessionEvent): boolean {
  if (event.seq === last + 1) return true;
  if (event.type !== "gap") return false;
  return event.data.fromSeq === last + 1 && event.seq >= last + 1;
}

/** A session's running totals after a batch: what its `sessions` row must be updated to. */
export interface AppendTotals {
  lastSeq: number;
  /** Output bytes the batch adds. */
  bytes: number;
  /** Newest output time in the batch (null: no output). */
  activity: number | null;
}

/** Which events of a batch an engine writes, which it refuses, and each session's new totals. */
export interface AppendPlan {
  appended: SessionEvent[];
  rejected: SessionEvent[];
  totals: Map<string, AppendTotals>;
}

/**
 * The append rule over a batch, for both engines (called inside their transaction): per
 * session, seq <= last is a replay and skipped; an event that `continuesLog` is appended; any
 * other, and events for unknown sessions (`lastSeqOf` undefined), are refused.
 */
export function planAppend(
  events: readonly SessionEvent[],
  lastSeqOf: (session: string) => number | undefined,
): AppendPlan {
  const appended: SessionEvent[] = [];
  const rejected: SessionEvent[] = [];
  const running = new Map<string, AppendTotals | null>();
  const totals = new Map<string, AppendTotals>();
  for (const event of events) {
    let session = running.get(event.session);
    if (session === undefined) {
      const last = lastSeqOf(event.session);
      session = last === undefined ? null : { lastSeq: last, bytes: 0, activity: null };
      running.set(event.session, session);
    }
    if (session === null || !continuesLog(session.lastSeq, event)) {
      if (session === null || event.seq > session.lastSeq) rejected.push(event);
      continue;
    }
    session.lastSeq = event.seq;
    if (isOutputEvent(event)) {
      session.bytes += event.data.byteLength;
      session.activity = Math.max(session.activity ?? event.ts, event.ts);
    }
    totals.set(event.session, session);
    appended.push(event);
  }
  return { appended, rejected, totals };
}
