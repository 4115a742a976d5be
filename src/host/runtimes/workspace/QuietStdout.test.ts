/**
 * A silent request's stdout: the adapter's answer (the line after its mark) is kept, whatever a
 * background thread printed around it or in its message is given back, in order.
 */
import { describe, expect, it } from "vitest";
import { ANSWER_MARK } from "../jupyter/adapters/adapter.js";
import { QuietStdout } from "./QuietStdout.js";

describe("a silent request's stdout", () => {
  it("keeps the answer and gives back a thread's lines before and after it in one message", () => {
    const stdout = new QuietStdout();
    const shown = stdout.take(`tick 1\ntick 2\n${ANSWER_MARK}{"variables":[]}\ntick 3\n`);
    expect(shown).toBe("tick 1\ntick 2\ntick 3\n");
    // Before, the last line was taken as the answer: the thread's "tick 3", not JSON.
    expect(stdout.answer).toBe('{"variables":[]}');
  });

  it("gives back a thread's line the answer came in the middle of", () => {
    const stdout = new QuietStdout();
    expect(stdout.take(`tick${ANSWER_MARK}{}\n`)).toBe("tick");
    expect(stdout.take(" 1\n")).toBe(" 1\n");
    expect(stdout.answer).toBe("{}");
  });

  it("joins an answer whose line comes in pieces", () => {
    const stdout = new QuietStdout();
    expect(stdout.take(`${ANSWER_MARK}{"a":`)).toBe("");
    expect(stdout.take("1}")).toBe("");
    expect(stdout.answer).toBe('{"a":1}');
    expect(stdout.take("\ntick\n")).toBe("tick\n");
    expect(stdout.answer).toBe('{"a":1}');
  });

  it("has no answer when only a thread printed", () => {
    const stdout = new QuietStdout();
    expect(stdout.take("tick\n")).toBe("tick\n");
    expect(stdout.answer).toBeUndefined();
  });
});
