import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { HeldReplies } from "./HeldReplies.js";

describe("HeldReplies", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("hands an answer on once its session is stored through the seq it waits for, in order", () => {
    const replies = new HeldReplies();
    const delivered: string[] = [];
    replies.hold("s", 3, 3, () => delivered.push("stored already"));
    expect(delivered).toEqual(["stored already"]);
    replies.hold("s", 5, 3, () => delivered.push("first"));
    replies.hold("s", 7, 3, () => delivered.push("second"));
    replies.hold("other", 2, 0, () => delivered.push("other"));
    replies.stored("s", 4);
    expect(delivered).toEqual(["stored already"]);
    replies.stored("s", 6);
    expect(delivered).toEqual(["stored already", "first"]);
    replies.stored("s", 9);
    expect(delivered).toEqual(["stored already", "first", "second"]);
    replies.release("other");
    expect(delivered.at(-1)).toBe("other");
  });

  it("hands an answer on anyway after a while, once, when its events are never stored here", () => {
    const replies = new HeldReplies();
    const deliver = vi.fn();
    replies.hold("s", 5, 3, deliver);
    vi.advanceTimersByTime(10_000);
    expect(deliver).toHaveBeenCalledTimes(1);
    replies.stored("s", 5);
    replies.release();
    expect(deliver).toHaveBeenCalledTimes(1);
  });
});
