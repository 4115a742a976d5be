import { describe, expect, it } from "vitest";
import { FEED_BYTES_PER_SECOND, FeedBudget, MIN_PRINTED_SHARE } from "./FeedBudget.js";

const MiB = 1024 * 1024;

/** Feeds `total` bytes in 64 KiB events within one second; false once the budget refuses one. */
function feeds(budget: FeedBudget, total: number, now = 1_000_000): boolean {
  for (let fed = 0; fed < total; fed += 64 * 1024) if (!budget.take(64 * 1024, now)) return false;
  return true;
}

describe("FeedBudget", () => {
  it("stops a session past its bytes per second", () => {
    const budget = new FeedBudget();
    expect(feeds(budget, FEED_BYTES_PER_SECOND)).toBe(true);
    expect(budget.take(1, 1_000_001)).toBe(false);
  });

  it("counts output the worker leaves out as scrolled off at its printed share, down to the minimum", () => {
    const budget = new FeedBudget();
    // A plain flood: the worker printed a tenth of each slice or less.
    for (let i = 0; i < 8; i++) budget.printed(MiB, MiB - 50 * 1024);
    expect(feeds(budget, 8 * FEED_BYTES_PER_SECOND)).toBe(true);
    expect(feeds(new FeedBudget(), 8 * FEED_BYTES_PER_SECOND)).toBe(false);
    // Never more than the minimum share allows.
    const floor = new FeedBudget();
    for (let i = 0; i < 8; i++) floor.printed(MiB, MiB);
    expect(feeds(floor, (FEED_BYTES_PER_SECOND / MIN_PRINTED_SHARE) * 1.2)).toBe(false);
  });

  it("comes back to full cost once output is printed in full again", () => {
    const budget = new FeedBudget();
    for (let i = 0; i < 8; i++) budget.printed(MiB, MiB);
    for (let i = 0; i < 12; i++) budget.printed(MiB, 0);
    expect(feeds(budget, 2 * FEED_BYTES_PER_SECOND)).toBe(false);
  });
});
