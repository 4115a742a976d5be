/**
 * How stored events change a session's record: pure, so the rules sit in one place and the
 * session manager only applies what this returns.
 */
import type { SessionEvent } from "../protocol/events.js";
import type { SessionRecord } from "../store/EventStore.js";
import { lastLine } from "./preview.js";

export interface RecordChanges {
  /** Output counters, changed by every output event; cheap to hold in memory only. */
  counters: Pick<SessionRecord, "lastSeq" | "bytes" | "lastActivityAt" | "preview">;
  /** Status and other fields worth persisting and announcing at once (empty when none). */
  patch: Partial<SessionRecord>;
}

/** Folds a batch of one session's events (in seq order, non-empty) into its record's changes. */
export function recordChanges(record: SessionRecord, events: readonly SessionEvent[]): RecordChanges {
  let { bytes, preview, lastActivityAt } = record;
  const patch: Partial<SessionRecord> = {};
  for (const event of events) {
    switch (event.type) {
      case "output":
        bytes += event.data.length;
        preview = lastLine(event.data, preview);
        lastActivityAt = Math.max(lastActivityAt, event.ts);
        break;
      case "start":
        if (record.status === "starting") patch.status = "running";
        patch.pid = Number(event.data.pid) || null;
        break;
      case "resize":
        patch.cols = Number(event.data.cols);
        patch.rows = Number(event.data.rows);
        break;
      case "status":
        patch.foreground = (event.data.foreground as string | null) ?? null;
        break;
      case "exit":
        patch.status = "exited";
        patch.exitCode = typeof event.data.code === "number" ? event.data.code : null;
        patch.reason = typeof event.data.signal === "number" ? `killed by signal ${event.data.signal}` : null;
        patch.foreground = null;
        break;
      case "state":
        patch.meta = { ...record.meta, ...patch.meta, agentState: { ...event.data, at: event.ts } };
        break;
      case "gap":
      case "snapshot-marker":
      case "revived":
      case "chat":
        break;
    }
  }
  const lastSeq = (events[events.length - 1] as SessionEvent).seq;
  return { counters: { lastSeq, bytes, lastActivityAt, preview }, patch };
}
