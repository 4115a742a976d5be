/**
 * How stored events change a session's record: pure, so the rules sit in one place and the
 * intake only applies what this returns. The core events are folded here; a kind's own events
 * by the kind (`SessionKind.fold`).
 */
import { findKind } from "../kinds/registry.js";
import type { SessionEvent } from "../protocol/events.js";
import type { SessionRecord } from "../protocol/session.js";
import { signalName } from "../protocol/signals.js";
import { lastLine } from "./preview.js";

export interface RecordChanges {
  /** Output counters, changed by every output event; cheap to hold in memory only. */
  counters: Pick<SessionRecord, "lastSeq" | "bytes" | "lastActivityAt" | "preview">;
  /** Status and other fields worth persisting and announcing at once (empty when none). */
  patch: Partial<SessionRecord>;
}

/**
 * Folds a batch of one session's events (in seq order, non-empty) into its record's changes.
 * With `previewFromOutput` false the preview is left as it is: the hub reads it off the
 * session's screen instead (`screen/screenPreview.ts`).
 */
export function recordChanges(
  record: SessionRecord,
  events: readonly SessionEvent[],
  previewFromOutput = true,
): RecordChanges {
  let { bytes, lastActivityAt } = record;
  const patch: Partial<SessionRecord> = {};
  const kind = findKind(record.kind);
  for (const event of events) {
    if (event.type === "output") {
      bytes += (event.data as Uint8Array).length;
      lastActivityAt = Math.max(lastActivityAt, event.ts);
      continue;
    }
    const data = event.data as Record<string, unknown>;
    switch (event.type) {
      case "start":
        if (record.status === "starting") patch.status = "running";
        patch.pid = Number(data.pid) || null;
        break;
      case "resize":
        patch.cols = Number(data.cols);
        patch.rows = Number(data.rows);
        break;
      case "status":
        patch.foreground = (data.foreground as string | null) ?? null;
        break;
      case "exit":
        patch.status = "exited";
        patch.exitCode = typeof data.code === "number" ? data.code : null;
        patch.reason =
          typeof data.reason === "string"
            ? data.reason
            : typeof data.signal === "number"
              ? `killed by ${signalName(data.signal)}`
              : null;
        patch.foreground = null;
        break;
      case "gap":
      case "snapshot-marker":
      case "revived":
        break;
      default: {
        const change = kind?.fold?.({ ...record, ...patch }, { ...event, data });
        if (change) Object.assign(patch, change);
      }
    }
  }
  const lastSeq = (events[events.length - 1] as SessionEvent).seq;
  const preview = previewFromOutput ? newestLine(events, record.preview) : record.preview;
  return { counters: { lastSeq, bytes, lastActivityAt, preview }, patch };
}

/**
 * The preview after `events`: the last line of the newest output that has one. Read from the
 * newest event back, so a flood's batch costs one tail scan, not one per event (the scan was a
 * tenth of the hub thread's time under four flooding sessions).
 */
function newestLine(events: readonly SessionEvent[], previous: string): string {
  for (let i = events.length - 1; i >= 0; i--) {
    const event = events[i] as SessionEvent;
    if (event.type !== "output") continue;
    const line = lastLine(event.data as Uint8Array, "");
    if (line !== "") return line;
  }
  return previous;
}
