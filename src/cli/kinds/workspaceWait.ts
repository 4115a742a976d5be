/**
 * What `dispatch eval` says while its evaluation waits its turn behind cells sent before it
 * (the host's `eval-queued`): at once, which cell runs and since when, and that Ctrl-C takes
 * this one out of the queue (the host withdraws it; the running cell, someone else's perhaps,
 * is not touched); then, when its turn comes, that it runs. Without this the terminal stays
 * silent for as long as the other cell runs.
 */
import type { JsonEvent } from "../../protocol/events.js";
import { EvalQueuedData, EvalStartData } from "../../protocol/workspace/events.js";
import { betweenPeople, runningSince, whoseCell } from "../../protocol/workspace/waitingCell.js";

export class QueueWait {
  private waiting = false;

  constructor(
    private readonly ref: string,
    private readonly say: (text: string) => void,
  ) {}

  /** Whether the evaluation waits behind another cell now: Ctrl-C withdraws it, nothing is interrupted. */
  get isWaiting(): boolean {
    return this.waiting;
  }

  event(event: JsonEvent): void {
    if (event.type === "eval-queued") {
      const queued = EvalQueuedData.safeParse(event.data);
      if (!queued.success || queued.data.ref !== this.ref) return;
      this.waiting = true;
      this.say(`[dispatch: ${waitingText(queued.data)}; Ctrl-C takes this one out of the queue]\n`);
    } else if (event.type === "eval-start" && this.waiting) {
      const start = EvalStartData.safeParse(event.data);
      if (!start.success || start.data.ref !== this.ref) return;
      this.waiting = false;
      this.say("[dispatch: its turn came; running]\n");
    }
  }
}

/**
 * "waiting behind the cell running since 14:02:07: `time.sleep(30)` (and 1 more before this
 * one)"; between two people, whose cells they are (`betweenPeople`).
 */
export function waitingText(queued: Pick<EvalQueuedData, "ahead" | "running" | "by">): string {
  const named = betweenPeople(queued, clock);
  if (named) return named;
  const { ahead, running } = queued;
  if (!running)
    return `waiting behind ${ahead} ${ahead === 1 ? "evaluation" : "evaluations"} sent before this one`;
  const more = ahead > 1 ? ` (and ${ahead - 1} more before this one)` : "";
  return `waiting behind the ${whoseCell(running.origin)} ${runningSince(running, clock)}${more}`;
}

/** The time of day, as this machine's clock shows it (HH:MM:SS). */
function clock(ms: number): string {
  return new Date(ms).toLocaleTimeString("en-GB", { hour12: false });
}
