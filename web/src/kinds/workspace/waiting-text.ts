/**
 * What a waiting evaluation's card says: behind which cell, running since when (the page's
 * time zone), as `dispatch eval` says it at a terminal. The card's own button takes it out of
 * the queue (the bar's Interrupt stops the cell that runs, not this one).
 */
import { betweenPeople, runningSince, whoseCell } from "../../../../src/protocol/workspace/waitingCell.js";
import type { EvalQueuedData } from "./model.js";

/**
 * "Waiting its turn behind the cell running since 14:02:07: `time.sleep(30)`."; between two
 * people, whose cells they are, as a terminal says it (`betweenPeople`), the cell of `viewer`
 * (the page's principal id) "your cell".
 */
export function waitingSentence(
  waiting: Pick<EvalQueuedData, "ahead" | "running" | "by">,
  viewer: string | undefined,
): string {
  const named = betweenPeople(waiting, timeOfDay, viewer);
  if (named) return `${named}.`;
  const { ahead, running } = waiting;
  if (!running)
    return `Waiting its turn behind ${ahead === 1 ? "an evaluation" : `${ahead} evaluations`} sent before it.`;
  const others = ahead - 1;
  const more = others > 0 ? ` (and ${others} more ${others === 1 ? "waits" : "wait"} before it)` : "";
  return `Waiting its turn behind the ${whoseCell(running.origin)} ${runningSince(running, timeOfDay)}${more}.`;
}

function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}
