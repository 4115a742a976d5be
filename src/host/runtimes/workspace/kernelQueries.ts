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

/** Whether code is a whole cell (`is_complete_request`), and the indent a continuation takes. */
export interface Completeness {
  status: "complete" | "incomplete" | "invalid" | "unknown";
  indent: string;
}

/**
 * How long a typed Enter waits for the kernel's judgement before guessing: the kernel answers
 * only between cells, and a person waits on it.
 */
const JUDGEMENT_WAIT_MS = 1000;

/**
 * The kernel's judgement of typed code, or a guess when it is busy, too slow or cannot say: a
 * line ending in `:` or `\`, or brackets left open, continues.
 */
export async function completeness(kernel: Kernel | undefined, code: string): Promise<Completeness> {
  if (kernel) {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<undefined>((resolve) => {
      timer = setTimeout(() => resolve(undefined), JUDGEMENT_WAIT_MS);
    });
    let asked: Promise<Record<string, unknown> | undefined>;
    try {
      asked = kernel
        .request("shell", "is_complete_request", { code })
        .reply.then((reply) => reply.content)
        .catch(() => undefined);
    } catch {
      asked = Promise.resolve(undefined);
    }
    const judged = await Promise.race([asked, late]).finally(() => clearTimeout(timer));
    const status = judged?.status;
    if (status === "complete" || status === "incomplete" || status === "invalid")
      return { status, indent: typeof judged?.indent === "string" ? judged.indent : "" };
  }
  return guessCompleteness(code);
}

export function guessCompleteness(code: string): Completeness {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < code.length; i++) {
    const char = code[i] as string;
    if (quote) {
      if (char === "\\") i++;
      else if (char === quote) quote = undefined;
      continue;
    }
    if (char === "'" || char === '"') quote = char;
    else if (char === "#") {
      const end = code.indexOf("\n", i);
      i = end < 0 ? code.length : end;
    } else if ("([{".includes(char)) depth++;
    else if (")]}".includes(char)) depth--;
  }
  const last = code
    .slice(code.lastIndexOf("\n") + 1)
    .replace(/\s*#.*$/, "")
    .trimEnd();
  const indent = /^\s*/.exec(last)?.[0] ?? "";
  if (last.endsWith(":")) return { status: "incomplete", indent: `${indent}    ` };
  if (depth > 0 || last.endsWith("\\")) return { status: "incomplete", indent };
  return { status: "complete", indent: "" };
}
