/**
 * Questions the kernel answers about code without running it: completions at the cursor
 * (`complete_request`) and what it knows of the name there (`inspect_request`). They wait on
 * the shell channel behind a running cell, like any request.
 */
import type { Kernel } from "../jupyter/Kernel.js";

export async function completions(kernel: Kernel, code: string, cursor?: number) {
  const reply = await kernel.request("shell", "complete_request", {
    code,
    cursor_pos: cursor ?? code.length,
  }).reply;
  const c = reply.content;
  return {
    matches: Array.isArray(c.matches) ? c.matches.map(String) : [],
    cursorStart: Number(c.cursor_start ?? 0),
    cursorEnd: Number(c.cursor_end ?? code.length),
  };
}

export async function documentation(kernel: Kernel, code: string, cursor: number | undefined, detail: 0 | 1) {
  const reply = await kernel.request("shell", "inspect_request", {
    code,
    cursor_pos: cursor ?? code.length,
    detail_level: detail,
  }).reply;
  const data = reply.content.data && typeof reply.content.data === "object" ? reply.content.data : {};
  const bundle = Object.fromEntries(
    Object.entries(data as Record<string, unknown>).filter(
      (entry): entry is [string, string] => typeof entry[1] === "string",
    ),
  );
  return { found: reply.content.found === true, data: bundle };
}
