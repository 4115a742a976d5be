/**
 * How much of a session's output the screen emulator parses. Parsing costs about a core per
 * 65 MB/s, so a flood parsed in full takes the CPU that live output needs (an echo waited
 * behind it). Past `FEED_BYTES_PER_SECOND` the session stops feeding the emulator (its screen
 * goes stale) and is rebuilt from the last MiB of stored output once it calms down, or
 * `STALE_REBUILD_EVERY_MS` after it went stale while it floods (so snapshots, and retention
 * behind them, go on). The final screen is the same: a terminal only shows the tail of a flood.
 * Each rebuild reads a MiB on the hub's thread, parses it and serializes a snapshot, so a flood
 * of a second or two is rebuilt once, at its end.
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
/** ...and one still flooding this long after it went stale, for snapshots and retention. */
const STALE_REBUILD_EVERY_MS = 2000;
const WINDOW_MS = 1000;
/** The least a fed byte counts for, however much of it the worker skips (10x the budget at most). */
export const MIN_PRINTED_SHARE = 0.1;

export class FeedBudget {
  private windowStart = 0;
  private windowBytes = 0;
  private lastOutputAt = 0;
  /** When the screen went stale (output passed it by); undefined while it is fed. */
  private staleSince: number | undefined;
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

  /**
   * Output went by unparsed (the screen is stale): the session is not quiet. Without this, a
   * stale flood looked quiet from the moment it went stale and was rebuilt (a MiB read, parsed
   * and a snapshot serialized) while it still flooded, then again at its end.
   */
  passed(now = Date.now()): void {
    this.lastOutputAt = now;
    this.staleSince ??= now;
  }

  /** Whether a stale screen should be rebuilt now. */
  rebuildDue(now = Date.now()): boolean {
    const staleFor = now - (this.staleSince ?? now);
    return now - this.lastOutputAt >= QUIET_REBUILD_MS || staleFor >= STALE_REBUILD_EVERY_MS;
  }

  rebuilt(now = Date.now()): void {
    this.staleSince = undefined;
    // The rebuild parsed the tail: the next second starts with a fresh budget.
    this.windowStart = now;
    this.windowBytes = 0;
  }
}
