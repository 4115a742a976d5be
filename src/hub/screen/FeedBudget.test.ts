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

  it("rebuilds a stale screen once the flood pauses, or 2 s after it went stale while it goes on", () => {
    const budget = new FeedBudget();
    const start = 1_000_000;
    expect(feeds(budget, 2 * FEED_BYTES_PER_SECOND, start)).toBe(false);
    // Output goes on past the stale screen every 50 ms: no rebuild (a MiB read, parsed and a
    // snapshot serialized) in the middle of it, until it has been stale for 2 s.
    for (let t = start; t < start + 1900; t += 50) {
      budget.passed(t);
      expect(budget.rebuildDue(t + 49)).toBe(false);
    }
    expect(budget.rebuildDue(start + 2000)).toBe(true);
    // Or the flood ends: rebuilt once it has been quiet for a moment.
    const ended = new FeedBudget();
    expect(feeds(ended, 2 * FEED_BYTES_PER_SECOND, start)).toBe(false);
    ended.passed(start + 400);
    expect(ended.rebuildDue(start + 500)).toBe(false);
    expect(ended.rebuildDue(start + 700)).toBe(true);
    // Rebuilt and stale again later: the 2 s count from then.
    ended.rebuilt(start + 700);
    ended.passed(start + 5000);
    expect(ended.rebuildDue(start + 5100)).toBe(false);
  });
});
