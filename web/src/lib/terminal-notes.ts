/**
 * What a session's terminal prints for an event that is not output: an exit or a gap gets a
 * line of its own, dimmed or in yellow, as live and in older output loaded later alike.
 */
import { gapNote } from "../../../src/protocol/droppedEvent.js";
import { exitNote } from "./exit-note.js";

/** The line the terminal shows for a non-output event, if it shows one. */
export function eventNote(type: string, data: Record<string, unknown>): string | undefined {
  if (type === "exit") return `\r\n\x1b[2m[${exitNote(data)}]\x1b[0m\r\n`;
  if (type === "gap") {
    return `\r\n\x1b[33m[${gapNote(data)}]\x1b[0m\r\n`;
  }
  return undefined;
}
