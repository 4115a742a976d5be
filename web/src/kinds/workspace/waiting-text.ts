/**
 * What a waiting evaluation's card says: behind which cell, running since when (the page's
 * time zone), as `dispatch eval` says it at a terminal. The page cannot withdraw a waiting cell
 * (its Interrupt stops the running one), so the words offer nothing of the kind.
 */
import type { EvalQueuedData, RunningCell } from "./model.js";

/** How much of the running cell's first line is shown. */
const CODE_SHOWN = 60;

/** "Waiting its turn behind the cell running since 14:02:07: `time.sleep(30)`." */
export function waitingSentence(waiting: Pick<EvalQueuedData, "ahead" | "running">): string {
  const { ahead, running } = waiting;
  if (!running)
    return `Waiting its turn behind ${ahead === 1 ? "an evaluation" : `${ahead} evaluations`} sent before it.`;
  const others = ahead - 1;
  const more = others > 0 ? ` (and ${others} more ${others === 1 ? "waits" : "wait"} before it)` : "";
  return `Waiting its turn behind the ${whose(running)} running since ${timeOfDay(running.startedAt)}: \`${shownCode(running.code)}\`${more}.`;
}

function whose(running: RunningCell): string {
  if (running.origin === "replay") return "replayed cell";
  if (running.origin === "other") return "cell of another Jupyter client";
  return "cell";
}

/** The first line that is not blank, cut to fit, `…` saying there is more. */
function shownCode(code: string): string {
  const lines = code.split("\n").filter((line) => line.trim() !== "");
  const first = (lines[0] ?? "").trim();
  if (first.length > CODE_SHOWN) return `${first.slice(0, CODE_SHOWN)}…`;
  return lines.length > 1 ? `${first} …` : first;
}

function timeOfDay(ms: number): string {
  return new Date(ms).toLocaleTimeString([], {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
  });
}
