/**
 * How an evaluation waiting its turn names the cell it waits behind: whose cell it is and its
 * first line, the same at a terminal (`cli/kinds/workspaceWait.ts`) and in the web view
 * (`web/src/kinds/workspace/waiting-text.ts`). Each words the rest (and the time of day) its
 * own way. Free of zod values, so the web bundle takes it as it is.
 */
import type { RunningCell } from "./events.js";

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
