/**
 * Questions the kernel answers about code without running it: completions at the cursor
 * (`complete_request`) and what it knows of the name there (`inspect_request`). They wait on
 * the shell channel behind a running cell, like any request. What a person at the console
 * waits on (`completeness` at Enter, `completeNow` at Tab) asks only an idle kernel, and waits
 * for it a second at most.
 */
import type { Kernel } from "../jupyter/Kernel.js";
import type { CompletionAnswer } from "../lineCompletion.js";

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
 * How long Tab waits for completions: longer, as there is nothing to guess instead, and a
 * kernel's first completion loads its completer (IPython's jedi: seconds on a busy machine).
 */
const COMPLETION_WAIT_MS = 5000;

/**
 * The content of the kernel's reply to a shell request, or undefined when it is busy (running
 * a cell: the request would wait behind it), gone or fails; "late" when slower than `waitMs`.
 */
async function askNow(
  kernel: Kernel | undefined,
  type: string,
  content: Record<string, unknown>,
  waitMs: number,
): Promise<Record<string, unknown> | "late" | undefined> {
  if (!kernel) return undefined;
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<"late">((resolve) => {
    timer = setTimeout(() => resolve("late"), waitMs);
  });
  let asked: Promise<Record<string, unknown> | undefined>;
  try {
    asked = kernel
      .request("shell", type, content)
      .reply.then((reply) => reply.content)
      .catch(() => undefined);
  } catch {
    return undefined;
  }
  return Promise.race([asked, late]).finally(() => clearTimeout(timer));
}

/**
 * The kernel's judgement of typed code, or a guess when it is busy, too slow or cannot say: a
 * line ending in `:` or `\`, or brackets left open, continues.
 */
export async function completeness(kernel: Kernel | undefined, code: string): Promise<Completeness> {
  const judged = await askNow(kernel, "is_complete_request", { code }, JUDGEMENT_WAIT_MS);
  const status = typeof judged === "object" ? judged.status : undefined;
  if (
    typeof judged === "object" &&
    (status === "complete" || status === "incomplete" || status === "invalid")
  )
    return { status, indent: typeof judged.indent === "string" ? judged.indent : "" };
  return guessCompleteness(code);
}

/**
 * Completions for Tab at a console, from `kernel` when it is idle (undefined: busy or not
 * running); never waits behind a running cell, so the console does not hang on it.
 */
export async function completeNow(
  kernel: Kernel | undefined,
  code: string,
  cursor: number,
): Promise<CompletionAnswer> {
  if (!kernel)
    return {
      note: "no completions: the kernel is busy running a cell (or not running); Tab completes once it is idle",
    };
  const reply = await askNow(kernel, "complete_request", { code, cursor_pos: cursor }, COMPLETION_WAIT_MS);
  if (reply === "late")
    return {
      note: `no completions: the kernel did not answer within ${COMPLETION_WAIT_MS / 1000} s; try Tab again`,
    };
  if (!reply || reply.status === "error")
    return { note: "no completions: the kernel could not complete here" };
  return {
    matches: Array.isArray(reply.matches) ? reply.matches.map(String) : [],
    start: Number(reply.cursor_start ?? cursor),
    end: Number(reply.cursor_end ?? cursor),
  };
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
