/**
 * When an evaluation is over, against a scripted kernel: its iopub messages are fed by hand
 * and the clock is vitest's, so "the idle never comes" and "output keeps coming after the
 * reply" are exact, not raced. (The real kernels' paths are in test/images*.test.ts.)
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { EvalResult } from "../../../protocol/workspace/commands.js";
import type { Kernel } from "../jupyter/Kernel.js";
import { MAX_EVAL_OUTPUT_BYTES } from "../jupyter/outputs.js";
import { type JupyterMessage, newHeader } from "../jupyter/wire.js";
import { Evaluations } from "./Evaluations.js";
import { KEPT_ENDED } from "./KnownEvaluations.js";
import { MAX_AFTER_REPLY_MS, QUIET_AFTER_REPLY_MS, RequestEnds } from "./requestEnds.js";
import { Transcript } from "./Transcript.js";

/** A kernel that only takes requests; the test answers them (`reply`) and publishes (`iopub`). */
function scriptedKernel() {
  const replies = new Map<string, (message: JupyterMessage) => void>();
  const ids: string[] = [];
  const kernel = {
    request(_channel: string, msgType: string) {
      const header = newHeader(msgType, "s");
      ids.push(header.msg_id);
      const reply = new Promise<JupyterMessage>((resolve) => replies.set(header.msg_id, resolve));
      return { id: header.msg_id, reply };
    },
  } as unknown as Kernel;
  const message = (parentId: string, msgType: string, content: Record<string, unknown>) => ({
    header: newHeader(msgType, "k"),
    parent: { msg_id: parentId, msg_type: "execute_request" },
    metadata: {},
    content,
    buffers: [],
  });
  return {
    kernel,
    ids,
    message,
    reply(id: string, content: Record<string, unknown>) {
      replies.get(id)?.(message(id, "execute_reply", content));
    },
  };
}

function setup() {
  const log: string[] = [];
  /** Each `eval-end`'s data. */
  const endings: Record<string, unknown>[] = [];
  /** Each `eval-output`'s data. */
  const outputs: Record<string, unknown>[] = [];
  const states: string[] = [];
  let transcript = "";
  const ends = new RequestEnds();
  const events = {
    output: (bytes: Buffer) => {
      transcript += bytes.toString("utf8");
    },
    emit: (type: string, data: Record<string, unknown>) => {
      log.push(type);
      if (type === "eval-end") endings.push(data);
      if (type === "eval-output") outputs.push(data);
      return log.length;
    },
  };
  const evaluations = new Evaluations({
    events,
    transcript: new Transcript(events),
    ends,
    execution: (state: string) => states.push(state),
    interrupt: () => undefined,
    ended: () => undefined,
  });
  const scripted = scriptedKernel();
  const iopub = (message: JupyterMessage) => {
    ends.onIopub(message);
    evaluations.onIopub(message);
  };
  /** An evaluation of `code` sent: its request's id, and its answer once it has one. */
  const started = (code: string, replied: () => void = () => undefined) => {
    let answer: EvalResult | undefined;
    void evaluations
      .execute(scripted.kernel, { code, mode: "print", origin: "client" }, replied)
      .then((result) => {
        answer = result;
      });
    return { id: scripted.ids.at(-1) as string, answer: () => answer };
  };
  return {
    log,
    endings,
    outputs,
    states,
    transcript: () => transcript,
    evaluations,
    iopub,
    started,
    ...scripted,
  };
}

/** Lets the promises that can settle settle, with the fake clock moved on by `ms`. */
const advance = (ms = 0) => vi.advanceTimersByTimeAsync(ms);

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe("an evaluation's start", () => {
  it("is written when its cell asks for input before its execute_input arrives, once", async () => {
    const { evaluations, iopub, message, ids, log, kernel } = setup();
    void evaluations.execute(kernel, { code: "input()", mode: "do", origin: "client" }, () => undefined);
    const [first] = ids as [string];
    // stdin and iopub are separate sockets: the input request can come first.
    evaluations.started(first);
    expect(log).toEqual(["eval-start"]);
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "execute_input", { code: "input()", execution_count: 1 }));
    expect(log).toEqual(["eval-start"]);
  });
});

describe("an evaluation's end", () => {
  it("frees the kernel for the next request at its reply, and ends at the next request's start when its idle is lost", async () => {
    const { iopub, message, reply, log, endings, started } = setup();
    const replied = vi.fn();
    const { id: first, answer } = started("print(1)", replied);
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "execute_input", { code: "print(1)", execution_count: 1 }));
    iopub(message(first, "stream", { name: "stdout", text: "1\n" }));
    reply(first, { status: "ok", execution_count: 1 });
    await advance();
    // The next request may go now, with no idle status and no time passed.
    expect(replied).toHaveBeenCalledTimes(1);
    expect(answer()).toBeUndefined();

    // The next request starts: the kernel published this one's idle before, so it was lost.
    iopub(message("next-request", "status", { execution_state: "busy" }));
    expect(log).toEqual(["eval-start", "eval-output", "eval-end"]);
    // So what it printed may not all be there, and its end and answer say so.
    expect(endings).toMatchObject([{ status: "ok", incomplete: "dropped" }]);
    await advance();
    expect(answer()).toMatchObject({
      status: "ok",
      count: 1,
      outputs: [{ type: "stream", text: "1\n" }],
      incomplete: "dropped",
    });
  });

  it("waits while its output still comes after the reply, and ends once iopub has been quiet", async () => {
    const { iopub, message, reply, started } = setup();
    const { id: first, answer } = started("flood()");
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "execute_input", { code: "flood()", execution_count: 2 }));
    reply(first, { status: "ok", execution_count: 2 });
    await advance(QUIET_AFTER_REPLY_MS - 500);
    // A flood is still being delivered: the output that comes long after the reply is its own.
    iopub(message(first, "stream", { name: "stdout", text: "late\n" }));
    await advance(QUIET_AFTER_REPLY_MS - 500);
    iopub(message(first, "execute_result", { data: { "text/plain": "'done'" }, execution_count: 2 }));
    await advance(QUIET_AFTER_REPLY_MS - 500);
    expect(answer()).toBeUndefined();
    await advance(500);
    expect(answer()?.outputs.map((output) => output.type)).toEqual(["stream", "result"]);
  });

  it("ends at its idle status, at once", async () => {
    const { iopub, message, reply, started } = setup();
    const { id: first, answer } = started("1/0");
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "error", { ename: "ZeroDivisionError", evalue: "division by zero", traceback: [] }));
    reply(first, { status: "error", ename: "ZeroDivisionError", evalue: "division by zero" });
    await advance();
    expect(answer()).toBeUndefined();
    iopub(message(first, "status", { execution_state: "idle" }));
    await advance();
    expect(answer()).toMatchObject({ status: "error", error: { ename: "ZeroDivisionError" } });
  });

  it("whose idle the kernel dropped, and nothing after it, leaves the kernel idle and says output was lost", async () => {
    const { iopub, message, reply, states, transcript, endings, started } = setup();
    const { id: first, answer } = started("flood()");
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "execute_input", { code: "flood()", execution_count: 3 }));
    iopub(message(first, "stream", { name: "stdout", text: "x\n" }));
    // xeus-python's publisher dropped the rest: the last lines, the result and the idle.
    reply(first, { status: "ok", execution_count: 3 });
    await advance(QUIET_AFTER_REPLY_MS);
    expect(answer()).toMatchObject({ status: "ok", count: 3, incomplete: "dropped" });
    expect(endings).toMatchObject([{ incomplete: "dropped" }]);
    expect(states).toEqual(["busy", "idle"]);
    expect(transcript()).toContain("the kernel dropped some of cell 3's output");
  });

  it("whose idle comes says nothing of lost output", async () => {
    const { iopub, message, reply, states, transcript, endings, started } = setup();
    const { id: first, answer } = started("1");
    iopub(message(first, "status", { execution_state: "busy" }));
    reply(first, { status: "ok", execution_count: 4 });
    iopub(message(first, "status", { execution_state: "idle" }));
    await advance(QUIET_AFTER_REPLY_MS);
    expect(states).toEqual(["busy", "idle"]);
    expect(transcript()).not.toContain("dropped");
    expect(answer()).toBeDefined();
    expect(answer()).not.toHaveProperty("incomplete");
    expect(endings[0]).not.toHaveProperty("incomplete");
  });

  it("whose idle comes before the next request's start is whole", async () => {
    const { iopub, message, reply, endings, started } = setup();
    const { id: first, answer } = started("print(1)");
    iopub(message(first, "status", { execution_state: "busy" }));
    reply(first, { status: "ok", execution_count: 5 });
    await advance();
    iopub(message(first, "status", { execution_state: "idle" }));
    iopub(message("next-request", "status", { execution_state: "busy" }));
    await advance();
    expect(answer()).not.toHaveProperty("incomplete");
    expect(endings).toHaveLength(1);
    expect(endings[0]).not.toHaveProperty("incomplete");
  });

  it("whose output still comes long after its reply ends with what came, marked late", async () => {
    const { iopub, message, reply, endings, transcript, started } = setup();
    const { id: first, answer } = started("flood()");
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "execute_input", { code: "flood()", execution_count: 6 }));
    reply(first, { status: "ok", execution_count: 6 });
    for (let waited = 0; waited < MAX_AFTER_REPLY_MS; waited += QUIET_AFTER_REPLY_MS / 2) {
      iopub(message(first, "stream", { name: "stdout", text: "more\n" }));
      await advance(QUIET_AFTER_REPLY_MS / 2);
    }
    expect(answer()).toMatchObject({ status: "ok", incomplete: "late" });
    expect(endings).toMatchObject([{ incomplete: "late" }]);
    expect(transcript()).toContain("cell 6's output was still coming long after it finished");
  });

  it("whose output came after the host's queue may have overflowed is marked dropped, its idle came or not", async () => {
    const { iopub, message, reply, endings, transcript, started } = setup();
    const { id: first, answer } = started("flood()");
    iopub(message(first, "status", { execution_state: "busy" }));
    iopub(message(first, "execute_input", { code: "flood()", execution_count: 7 }));
    iopub({ ...message(first, "stream", { name: "stdout", text: "9999\n" }), afterOverflow: true });
    reply(first, { status: "ok", execution_count: 7 });
    iopub(message(first, "status", { execution_state: "idle" }));
    await advance();
    expect(answer()).toMatchObject({ status: "ok", incomplete: "dropped" });
    expect(endings).toMatchObject([{ incomplete: "dropped" }]);
    expect(transcript()).toContain("the kernel dropped some of cell 7's output");
  });
});

describe("output after its cell ended", () => {
  /** A cell that ran and ended: its request's id. */
  async function ended(context: ReturnType<typeof setup>, count: number): Promise<string> {
    const { iopub, message, reply, started } = context;
    const { id } = started("start_thread()");
    iopub(message(id, "status", { execution_state: "busy" }));
    iopub(message(id, "execute_input", { code: "start_thread()", execution_count: count }));
    reply(id, { status: "ok", execution_count: count });
    iopub(message(id, "status", { execution_state: "idle" }));
    await advance();
    return id;
  }

  it("clears its cell, as Jupyter does with the request the message names", async () => {
    const context = setup();
    const { iopub, message, outputs } = context;
    const first = await ended(context, 3);
    iopub(message(first, "clear_output", { wait: false }));
    expect(outputs).toEqual([
      { id: first, count: 3, output: { type: "stream", name: "stdout", text: "" }, clear: true },
    ]);
  });

  it("with wait=True, its next output replaces what its cell showed", async () => {
    const context = setup();
    const { iopub, message, outputs } = context;
    const first = await ended(context, 4);
    iopub(message(first, "clear_output", { wait: true }));
    iopub(message(first, "stream", { name: "stdout", text: "progress 9\n" }));
    iopub(message(first, "stream", { name: "stdout", text: "done\n" }));
    expect(outputs.map((o) => [o.id, o.clear ?? false])).toEqual([
      [first, true],
      [first, false],
    ]);
  });

  it("past the bound, is cut with one line in the transcript saying so, until the next cell", async () => {
    const context = setup();
    const { iopub, message, transcript } = context;
    const first = await ended(context, 6);
    const line = `${"y".repeat(99)}\n`;
    const chunk = line.repeat(MAX_EVAL_OUTPUT_BYTES / 2 / line.length);
    for (let i = 0; i < 3; i++) iopub(message(first, "stream", { name: "stdout", text: chunk }));
    iopub(message(first, "stream", { name: "stdout", text: "thread done\n" }));
    const said = "output outside a running cell is over the 1048576 byte bound";
    // Once, on its own line after the kept part (cut mid-line); before, the lines just stopped.
    expect(transcript().split(said)).toHaveLength(2);
    expect(transcript()).not.toContain("thread done");
    expect(transcript()).toContain(`yyyy\r\n\x1b[2m[${said}`);
    // The next cell starts a new allowance, and a new cut is said again.
    const next = await ended(context, 7);
    for (let i = 0; i < 3; i++) iopub(message(next, "stream", { name: "stdout", text: chunk }));
    expect(transcript().split(said)).toHaveLength(3);
  });

  it("still goes to its cell minutes later, while the last ended cells are kept", async () => {
    const context = setup();
    const { iopub, message, outputs } = context;
    const first = await ended(context, 5);
    await advance(10 * 60_000);
    iopub(message(first, "stream", { name: "stdout", text: "late\n" }));
    expect(outputs).toMatchObject([{ id: first, count: 5 }]);
  });

  it("under a request it does not know (the runtime's silent one, which ipykernel names) goes to the last cell", async () => {
    const context = setup();
    const { iopub, message, outputs } = context;
    await ended(context, 1);
    const second = await ended(context, 2);
    iopub(message("silent-variables-request", "clear_output", { wait: true }));
    iopub(message("silent-variables-request", "stream", { name: "stdout", text: "late\n" }));
    expect(outputs).toMatchObject([{ id: second, count: 2, clear: true }]);
  });

  it("of a cell long forgotten (KEPT_ENDED ended after it) goes to the last cell", async () => {
    const context = setup();
    const { iopub, message, outputs } = context;
    const first = await ended(context, 1);
    let last = first;
    for (let count = 2; count <= KEPT_ENDED + 1; count++) last = await ended(context, count);
    iopub(message(first, "stream", { name: "stdout", text: "late\n" }));
    expect(outputs).toMatchObject([{ id: last, count: KEPT_ENDED + 1 }]);
  });
});
