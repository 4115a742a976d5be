/**
 * How an evaluation waiting its turn names the cell it waits behind: whose cell it is and its
 * first line, the same at a terminal (`cli/kinds/workspaceWait.ts`) and in the web view
 * (`web/src/kinds/workspace/waiting-text.ts`). Between two people both say the same sentence
 * (`betweenPeople`); else each words the rest its own way. Each says the time of day its own
 * way. Free of zod values, so the web bundle takes it as it is.
 */
import type { Caller } from "../people.js";
import type { EvalQueuedData, RunningCell } from "./events.js";

/** How much of the running cell's first line is shown. */
const CODE_SHOWN = 60;

/** "cell", or whose it is when it is not a client's: a replayed one, another Jupyter client's. */
export function whoseCell(origin: RunningCell["origin"]): string {
  if (origin === "replay") return "replayed cell";
  if (origin === "other") return "cell of another Jupyter client";
  return "cell";
}

/** The code's first line that is not blank, cut to what fits a line, `…` saying there is more. */
export function firstCodeLine(code: string): string {
  const lines = code.split("\n").filter((line) => line.trim() !== "");
  const first = (lines[0] ?? "").trim();
  if (first.length > CODE_SHOWN) return `${first.slice(0, CODE_SHOWN)}…`;
  return lines.length > 1 ? `${first} …` : first;
}

/** "cell running since 14:02:07: `time.sleep(30)`": the cell waited behind, as every sentence names it. */
export function runningSince(running: RunningCell, clock: (ms: number) => string): string {
  return `running since ${clock(running.startedAt)}: \`${firstCodeLine(running.code)}\``;
}

/**
 * "Ada's cell waits behind Bob's cell running since 14:02:07: `time.sleep(30)` (and 1 more
 * before it)", when both cells' senders are known and are two people; undefined otherwise (one
 * person's cells, a replay, another Jupyter client's, an older host), where the cell is named
 * as it always was. `clock` says the time of day.
 */
export function betweenPeople(
  waiting: Pick<EvalQueuedData, "ahead" | "running"> & { by?: Caller | undefined },
  clock: (ms: number) => string,
): string | undefined {
  const { ahead, running, by } = waiting;
  if (!running?.by || !by || running.by.id === by.id) return undefined;
  const more = ahead > 1 ? ` (and ${ahead - 1} more before it)` : "";
  return `${by.name}'s cell waits behind ${running.by.name}'s cell ${runningSince(running, clock)}${more}`;
}
