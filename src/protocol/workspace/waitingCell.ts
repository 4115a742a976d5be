/**
 * How an evaluation waiting its turn names the cell it waits behind: whose cell it is and its
 * first line, the same at a terminal (`cli/kinds/workspaceWait.ts`) and in the web view
 * (`web/src/kinds/workspace/waiting-text.ts`). Between two people both say the same sentence
 * (`betweenPeople`), the web's with "your" for its viewer's own cell; else each words the rest
 * its own way. Each says the time of day its own
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
 * "ada's cell waits behind bob's cell running since 14:02:07: `time.sleep(30)` (and 1 more
 * before it)", when both cells' senders are known and are two people; undefined otherwise (one
 * person's cells, a replay, another Jupyter client's, an older host), where the cell is named
 * as it always was. `clock` says the time of day. `viewer`: the id of who reads it, whose own
 * cell is "your cell" ("Your cell waits behind link 5e6f7a8b's cell …"): people who hold share
 * links know no link's name, their own's neither, so only this tells them which cell is theirs.
 */
export function betweenPeople(
  waiting: Pick<EvalQueuedData, "ahead" | "running"> & { by?: Caller | undefined },
  clock: (ms: number) => string,
  viewer?: string,
): string | undefined {
  const { ahead, running, by } = waiting;
  if (!running?.by || !by || running.by.id === by.id) return undefined;
  const more = ahead > 1 ? ` (and ${ahead - 1} more before it)` : "";
  const whose = (caller: Caller, your: string) => (caller.id === viewer ? your : `${caller.name}'s`);
  return `${whose(by, "Your")} cell waits behind ${whose(running.by, "your")} cell ${runningSince(running, clock)}${more}`;
}
