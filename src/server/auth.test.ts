import { describe, expect, it } from "vitest";
import { FailureLimiter } from "./FailureLimiter.js";

describe("FailureLimiter", () => {
  it("never slows or refuses a right credential, however many failures came first", async () => {
    const limiter = new FailureLimiter();
    const now = Date.now();
    for (let i = 0; i < 50; i++) limiter.recordFailure("a", now);
    expect(limiter.delayMs("a")).toBeGreaterThan(0);
    expect(await limiter.attempt("a", () => "ok")).toBe("ok");
  });

  it("answers the first failures at once, then doubles the delay up to a cap", () => {
    const limiter = new FailureLimiter();
    const now = Date.now();
    const delays: number[] = [];
    for (let i = 0; i < 12; i++) {
      limiter.recordFailure("a", now);
      delays.push(limiter.delayMs("a", now));
    }
    expect(delays.slice(0, 4)).toEqual([0, 0, 0, 0]);
    expect(delays[5]).toBe(2 * (delays[4] as number));
    expect(delays.at(-1)).toBe(2000);
    expect(limiter.delayMs("other", now)).toBe(0);
  });

  it("forgets failures after a minute", () => {
    const limiter = new FailureLimiter();
    for (let i = 0; i < 10; i++) limiter.recordFailure("a", 0);
    expect(limiter.count("a", 61_000)).toBe(0);
  });
});
