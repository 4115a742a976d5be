/**
 * How a workspace's outputs print as text at a terminal or into a pipe: for `eval` (as they
 * come or from its answer) and for `transcript` and `inspect` (`workspace.ts`). Apart from
 * `workspaceEval.ts` because both print the same way, and a result never glues to the end of a
 * stream cut mid-line (`midLine`, shared by every output this process prints).
 */
import { once } from "node:events";
import type { InspectedObject } from "../../protocol/workspace/commands.js";
import type { EvalMode, EvalOutput } from "../../protocol/workspace/events.js";

/**
 * Whether the stdout printed so far ends mid-line: a stream without its last newline, or one cut
 * at the bound per evaluation (`truncatedBytes`).
 */
let midLine = false;

/**
 * One output where a terminal shows it: errors and stderr on stderr, a result unless mode `do`.
 * A result, display or error starts on a line of its own, as Jupyter frontends show it apart
 * from the stream before: never glued to the end of a cut flood.
 */
export async function printOutput(output: EvalOutput, mode: EvalMode): Promise<void> {
  if (output.type === "result" && mode === "do") return;
  const toStderr = output.type === "error" || (output.type === "stream" && output.name === "stderr");
  const text = `${output.type !== "stream" ? newLineIfMid() : ""}${plainOutput(output)}`;
  if (!toStderr && text.length > 0) midLine = !text.endsWith("\n");
  await write(toStderr ? process.stderr : process.stdout, text);
}

/** A newline to start the next text on a line of its own, if stdout ends mid-line (then it no longer does). */
export function newLineIfMid(): string {
  if (!midLine) return "";
  midLine = false;
  return "\n";
}

const ANSI = /\x1b\[[0-9;?]*[A-Za-z]/g;

/** An output as plain text for a terminal or a pipe. */
export function plainOutput(output: EvalOutput): string {
  switch (output.type) {
    case "stream":
      return output.text;
    case "error":
      return `${(output.traceback.length > 0 ? output.traceback.join("\n") : `${output.ename}: ${output.evalue}`).replace(ANSI, "")}\n`;
    default: {
      const text = output.data["text/plain"];
      if (text !== undefined) return `${text}\n`;
      return `[${Object.keys(output.data).join(", ")}]\n`;
    }
  }
}

export function inspectedText(object: InspectedObject): string {
  const lines = [
    `${object.path}: ${object.type}${object.size !== null ? ` (${object.size})` : ""} = ${object.repr}`,
  ];
  for (const child of object.children)
    lines.push(
      `  ${child.name}: ${child.type}${child.size !== null ? ` (${child.size})` : ""} = ${child.repr}${child.expandable ? "  ▸ " + child.path : ""}`,
    );
  const end = object.offset + object.children.length;
  if (end < object.total) lines.push(`  … ${object.total - end} more (--offset ${end})`);
  return `${lines.join("\n")}\n`;
}

export async function write(stream: NodeJS.WriteStream, text: string): Promise<void> {
  if (!stream.write(text)) await once(stream, "drain");
}
