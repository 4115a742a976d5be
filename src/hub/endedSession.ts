/**
 * What a person is told when a command needs a session that has ended: how it ended, what was
 * not done, and what to do about it: start it again, if its kind can (a kind with `revive`,
 * `kinds/kind.ts`; the kind decides, never its name).
 */
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { findKind } from "../kinds/registry.js";
import { reviveAdvice } from "../kinds/reviveAdvice.js";
import type { SessionRecord } from "../protocol/session.js";

/** `session_exited`: "session 'x' has exited with code 1; CONSEQUENCE; `dispatch revive x` starts it again". */
export function endedError(
  record: Pick<SessionRecord, "name" | "kind" | "status" | "exitCode" | "reason">,
  consequence: string,
): DispatchError {
  const how =
    record.exitCode !== null ? ` with code ${record.exitCode}` : record.reason ? ` (${record.reason})` : "";
  return new DispatchError(
    "session_exited",
    `session '${record.name}' has ${record.status}${how}; ${consequence}${reviveHint(record)}`,
  );
}

/** "; `dispatch revive NAME` starts it again" (`reviveAdvice`) for a kind that revives, else nothing. */
export function reviveHint(record: Pick<SessionRecord, "name" | "kind">): string {
  const kind = findKind(record.kind);
  return kind?.revive ? `; ${reviveAdvice(record.name, kind.revivedAs)}` : "";
}

/** The record, when its session is live; else the `endedError` saying CONSEQUENCE. */
export function requireLive(record: SessionRecord, consequence: string): SessionRecord {
  if (!isLiveStatus(record.status)) throw endedError(record, consequence);
  return record;
}
