/**
 * How much of a session's output the screen emulator parses. Parsing costs about a core per
 * 65 MB/s, so a flood parsed in full takes the CPU that live output needs (an echo waited
 * behind it). Past `FEED_BYTES_PER_SECOND` the session stops feeding the emulator (its screen
 * goes stale) and is rebuilt from the last MiB of stored output once it calms down, or every
 * `STALE_REBUILD_EVERY_MS` while it floods (so snapshots, and retention behind them, go on).
 * The final screen is the same: a terminal only shows the tail of a flood.
 *
 * The budget counts what printing costs: output the worker leaves out as scrolled off
 * (`printOutput.ts`) costs it a scan, not a parse, so a session's bytes count at the share the
 * worker printed of its recent slices (at least `MIN_PRINTED_SHARE`: the scan and the copy to
 * the worker cost something too). A plain flood is then fed, exactly and cheaply, instead of
 * going stale and being rebuilt from its tail, which reads a MiB on the hub's thread and
 * serializes a snapshot every `STALE_REBUILD_EVERY_MS`.
 */

/** Output a session may have parsed per second; a person cannot read faster. */
export const FEED_BYTES_PER_SECOND = 4 * 1024 * 1024;
/** A stale session quiet this long is rebuilt (the flood is over). */
const QUIET_REBUILD_MS = 300;
/** ...and one still flooding is rebuilt this often, for snapshots and retention. */
const STALE_REBUILD_EVERY_MS = 2000;
const WINDOW_MS = 1000;
/** The least a fed byte counts for, however much of it the worker skips (10x the budget at most). */
export const MIN_PRINTED_SHARE = 0.1;

export class FeedBudget {
  private windowStart = 0;
  private windowBytes = 0;
  private lastOutputAt = 0;
  private lastRebuildAt = 0;
  /** Share of the bytes fed that the worker printed, over its recent slices. */
  private share = 1;

  /** Counts output; false once this second's budget is spent. */
  take(bytes: number, now = Date.now()): boolean {
    this.lastOutputAt = now;
    if (now - this.windowStart >= WINDOW_MS) {
      this.windowStart = now;
      this.windowBytes = 0;
    }
    this.windowBytes += bytes * this.share;
    return this.windowBytes <= FEED_BYTES_PER_SECOND;
  }

  /** The worker printed a slice of `bytes`, leaving out `skipped` of them. */
  printed(bytes: number, skipped: number): void {
    if (bytes <= 0) return;
    const share = Math.max(MIN_PRINTED_SHARE, (bytes - skipped) / bytes);
    // Smoothed: one slice of a different kind of output moves it halfway.
    this.share = (this.share + share) / 2;
  }

  /** Whether a stale screen should be rebuilt now. */
  rebuildDue(now = Date.now()): boolean {
    return now - this.lastOutputAt >= QUIET_REBUILD_MS || now - this.lastRebuildAt >= STALE_REBUILD_EVERY_MS;
  }

  rebuilt(now = Date.now()): void {
    this.lastRebuildAt = now;
    // The rebuild parsed the tail: the next second starts with a fresh budget.
    this.windowStart = now;
    this.windowBytes = 0;
  }
}
