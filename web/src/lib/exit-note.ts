/**
 * What a session's `exit` event says to a person in its terminal. An exit carries the
 * process's code or signal when the process itself ended, and a `reason` when something else
 * ended the session (its host lost or stopped): then neither code nor signal is known, and the
 * note names the reason rather than a "signal null" that reads like a crash.
 */
import { signalName } from "../../../src/protocol/signals.js";

export function exitNote(data: Record<string, unknown>): string {
  const reason = typeof data.reason === "string" && data.reason !== "" ? data.reason : undefined;
  const signal = data.signal;
  const how =
    typeof data.code === "number"
      ? `code ${data.code}`
      : typeof signal === "number"
        ? signalName(signal)
        : typeof signal === "string" && signal !== ""
          ? signal
          : undefined;
  if (how === undefined) return reason === undefined ? "process exited" : `session ended: ${reason}`;
  return reason === undefined ? `process exited, ${how}` : `process exited, ${how} (${reason})`;
}
