/**
 * The order and once-only rules of what an evaluation writes, apart from the kernel messages
 * that lead to them (those are `Evaluations.test.ts`).
 */
import { describe, expect, it } from "vitest";
import { incompleteText } from "../../../protocol/workspace/events.js";
import { newEvaluation } from "./Evaluation.js";
import { EvaluationEvents } from "./EvaluationEvents.js";
import { KnownEvaluations } from "./KnownEvaluations.js";
import { Transcript } from "./Transcript.js";

function setup() {
  const log: string[] = [];
  let transcript = "";
  const interrupts: string[] = [];
  const events = {
    output: (bytes: Uint8Array) => {
      transcript += Buffer.from(bytes).toString("utf8");
    },
    emit: (type: string, data: Record<string, unknown>) => log.push(`${type} ${String(data["id"])}`),
  };
  const known = new KnownEvaluations();
  const record = new EvaluationEvents(known, {
    events,
    transcript: new Transcript(events),
    interrupt: () => interrupts.push("interrupt"),
    ended: (id) => log.push(`ended ${id}`),
  });
  return { log, interrupts, known, record, transcript: () => transcript };
}

describe("what an evaluation writes", () => {
  it("writes the start of one never seen to start before its end, each once", () => {
    const { log, known, record, transcript } = setup();
    const evaluation = known.add("a", { origin: "client", code: "print(1)", mode: "print" });
    record.finish(evaluation, { status: "aborted", error: { ename: "KernelLost", evalue: "exited" } });
    record.finish(evaluation, { status: "ok" });
    record.announce(evaluation);
    expect(log).toEqual(["eval-start a", "ended a", "eval-end a"]);
    expect(evaluation.error?.ename).toBe("KernelLost");
    expect(transcript()).toContain("print(1)");
  });

  it("interrupts the kernel as a cell its client interrupted while it waited starts, not once it ended", () => {
    const { interrupts, record } = setup();
    const waiting = {
      ...newEvaluation("a", { origin: "client", code: "x", mode: "do" }),
      interruptOnStart: true,
    };
    record.announce(waiting);
    expect(interrupts).toEqual(["interrupt"]);
    const ended = {
      ...newEvaluation("b", { origin: "client", code: "y", mode: "do" }),
      interruptOnStart: true,
    };
    record.finish(ended, { status: "aborted" });
    expect(interrupts).toEqual(["interrupt"]);
  });

  it("names the running cell, its code cut, until it ends; and notes an incomplete one once", () => {
    const { known, record, transcript } = setup();
    expect(record.running()).toBeNull();
    const evaluation = known.add("a", { origin: "client", code: "x".repeat(5_000), mode: "do" });
    record.announce(evaluation);
    expect(record.running()?.code).toHaveLength(1_000);
    record.markIncomplete(evaluation, "dropped");
    record.markIncomplete(evaluation, "late");
    expect(evaluation.incomplete).toBe("dropped");
    record.finish(evaluation, { status: "ok" });
    expect(record.running()).toBeNull();
    expect(transcript().split(incompleteText("dropped", "this cell"))).toHaveLength(2);
    expect(transcript()).not.toContain(incompleteText("late", "this cell"));
  });
});
