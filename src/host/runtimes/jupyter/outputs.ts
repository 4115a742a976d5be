/**
 * Kernel output as the workspace keeps it: iopub messages turned into `EvalOutput`s, the
 * per-evaluation bound (like terminal output, a flood is cut and the cut is counted), and the
 * transcript rendering written as the session's `output` bytes, so `dispatch logs`, terminal
 * clients and previews show a readable In/Out transcript.
 */
import type { EvalOutput, MimeBundle } from "../../../protocol/workspace/events.js";
import type { JupyterMessage } from "./wire.js";

/** Output bytes kept per evaluation (and per stretch of output outside any evaluation). */
export const MAX_EVAL_OUTPUT_BYTES = 1024 * 1024;

const KEPT_MIME = [
  "text/plain",
  "text/markdown",
  "text/html",
  "image/png",
  "image/jpeg",
  "image/svg+xml",
  "application/json",
];
const UNTRUSTED_MIME = ["text/html", "image/svg+xml"];

function bundle(raw: unknown): MimeBundle {
  const data: MimeBundle = {};
  if (!raw || typeof raw !== "object") return data;
  for (const [mime, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!KEPT_MIME.includes(mime)) continue;
    if (typeof value === "string") data[mime] = value;
    else if (Array.isArray(value)) data[mime] = value.join("");
    else if (mime === "application/json") data[mime] = JSON.stringify(value);
  }
  return data;
}

/** The output an iopub message carries, if it is one. */
export function outputOf(message: JupyterMessage): EvalOutput | undefined {
  const content = message.content;
  switch (message.header.msg_type) {
    case "stream":
      return {
        type: "stream",
        name: content.name === "stderr" ? "stderr" : "stdout",
        text: String(content.text ?? ""),
      };
    case "execute_result":
    case "display_data":
    case "update_display_data": {
      const data = bundle(content.data);
      const untrusted = UNTRUSTED_MIME.some((mime) => mime in data);
      const transient = content.transient as { display_id?: unknown } | undefined;
      const displayId = typeof transient?.display_id === "string" ? transient.display_id : undefined;
      return {
        type: message.header.msg_type === "execute_result" ? "result" : "display",
        data,
        ...(untrusted ? { untrusted: true } : {}),
        ...(displayId !== undefined ? { displayId } : {}),
        ...(message.header.msg_type === "update_display_data" ? { update: true } : {}),
      };
    }
    case "error":
      return {
        type: "error",
        ename: exceptionName(content.ename),
        evalue: String(content.evalue ?? ""),
        traceback: Array.isArray(content.traceback) ? content.traceback.map(String) : [],
      };
    default:
      return undefined;
  }
}

/**
 * An error's exception name as a person reads it (`RuntimeError`). xeus-python sends the class's
 * repr (`<class 'RuntimeError'>`), which every view then showed in its heading, and the replay
 * report with it; ipykernel sends the bare name.
 */
export function exceptionName(ename: unknown): string {
  const name = String(ename ?? "Error");
  return /^<class '([^']+)'>$/.exec(name)?.[1] ?? name;
}

/** A `clear_output` request: whether it waits for the next output (`wait=True`). */
export function clearOf(message: JupyterMessage): { wait: boolean } | undefined {
  if (message.header.msg_type !== "clear_output") return undefined;
  return { wait: message.content.wait === true };
}

export function outputBytes(output: EvalOutput): number {
  switch (output.type) {
    case "stream":
      return Buffer.byteLength(output.text);
    case "error":
      return output.traceback.reduce(
        (sum, line) => sum + Buffer.byteLength(line),
        Buffer.byteLength(output.evalue),
      );
    default:
      return Object.values(output.data).reduce((sum, value) => sum + Buffer.byteLength(value), 0);
  }
}

/**
 * Of each evaluation's bound, what only its result and error may use: a cell that floods its
 * output still answers with the value or the traceback it ended with, which a person wants most.
 */
export const RESERVED_FOR_RESULT_BYTES = 64 * 1024;

/**
 * Keeps output up to a byte budget: a stream is cut to what fits, anything else kept or dropped
 * whole. Streams and displays stop `reserved` bytes short of the limit; results and errors may
 * use those too.
 */
export class OutputBudget {
  private used = 0;
  dropped = 0;

  constructor(
    private readonly limit = MAX_EVAL_OUTPUT_BYTES,
    private readonly reserved = RESERVED_FOR_RESULT_BYTES,
  ) {}

  take(output: EvalOutput): EvalOutput | undefined {
    const size = outputBytes(output);
    const ending = output.type === "result" || output.type === "error";
    const left = (ending ? this.limit : this.limit - this.reserved) - this.used;
    if (size <= left) {
      this.used += size;
      return output;
    }
    if (output.type === "stream" && left > 0) {
      const kept = Buffer.from(output.text)
        .subarray(0, left)
        .toString("utf8")
        .replace(/\uFFFD$/, "");
      const keptBytes = Buffer.byteLength(kept);
      this.used += keptBytes;
      this.dropped += size - keptBytes;
      return { ...output, text: kept };
    }
    this.dropped += size;
    return undefined;
  }
}

const crlf = (text: string) => text.replace(/\r?\n/g, "\r\n");
const DIM = "\x1b[2m";
const RESET = "\x1b[0m";

/** What a cell's code follows in the transcript, and a line typed at the console too. */
export const INPUT_MARK = "\x1b[32mIn:\x1b[0m";

/** The transcript's rendering of one step, as terminal text. */
export const render = {
  input(code: string, origin: string): string {
    const who = origin === "client" ? "" : ` ${DIM}(${origin})${RESET}`;
    // Code piped to `dispatch eval` ends in a newline: trailing blank lines would show as an
    // empty indented line under the cell.
    const shown = crlf(code.replace(/\s+$/, "")).replace(/\r\n/g, "\r\n    ");
    return `${INPUT_MARK}${who} ${shown}\r\n`;
  },
  output(output: EvalOutput, count: number | null): string {
    switch (output.type) {
      case "stream":
        return crlf(output.text);
      case "error":
        return `${crlf(output.traceback.join("\n") || `${output.ename}: ${output.evalue}`)}\r\n`;
      default: {
        const text = output.data["text/plain"];
        const shown =
          text !== undefined ? text : `[${Object.keys(output.data).join(", ") || "empty output"}]`;
        const prefix = output.type === "result" ? `\x1b[31mOut[${count ?? " "}]:${RESET} ` : "";
        return `${prefix}${crlf(shown)}\r\n`;
      }
    }
  },
  truncated(bytes: number): string {
    return `${DIM}[${bytes} bytes of output dropped: over the ${MAX_EVAL_OUTPUT_BYTES} byte bound per evaluation]${RESET}\r\n`;
  },
  note(text: string): string {
    return `${DIM}[${text}]${RESET}\r\n`;
  },
};
