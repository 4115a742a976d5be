import { describe, expect, it } from "vitest";
import type { SessionEvent } from "../protocol/events.js";
import { continuesLog, planAppend } from "./appendRule.js";

const output = (session: string, seq: number, text: string, ts = seq): SessionEvent => ({
  session,
  seq,
  ts,
  type: "output",
  data: new TextEncoder().encode(text),
});
const gap = (session: string, seq: number, fromSeq: number): SessionEvent => ({
  session,
  seq,
  ts: seq,
  type: "gap",
  data: { fromSeq, bytes: 10 },
});

describe("the append rule", () => {
  it("takes the next seq, or a gap starting right after the last, and nothing else", () => {
    expect(continuesLog(4, output("a", 5, "x"))).toBe(true);
    expect(continuesLog(4, output("a", 6, "x"))).toBe(false);
    expect(continuesLog(4, gap("a", 9, 5))).toBe(true);
    expect(continuesLog(4, gap("a", 9, 6))).toBe(false);
  });

  it("skips a replay, refuses a hole and unknown sessions, and totals what it appends", () => {
    const last: Record<string, number> = { a: 2, b: 0 };
    const plan = planAppend(
      [
        output("a", 2, "replayed"),
        output("a", 3, "abc", 100),
        output("b", 1, "hello", 50),
        output("a", 5, "after a hole"),
        output("z", 1, "nobody"),
        output("a", 4, "de", 120),
      ],
      (session) => last[session],
    );
    expect(plan.appended.map((e) => `${e.session}${e.seq}`)).toEqual(["a3", "b1", "a4"]);
    expect(plan.rejected.map((e) => `${e.session}${e.seq}`)).toEqual(["a5", "z1"]);
    expect(plan.totals.get("a")).toEqual({ lastSeq: 4, bytes: 5, activity: 120 });
    expect(plan.totals.get("b")).toEqual({ lastSeq: 1, bytes: 5, activity: 50 });
    expect(plan.totals.has("z")).toBe(false);
  });
});
