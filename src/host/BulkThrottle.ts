/**
 * While someone types on this host, the other sessions' output is read at a bounded rate.
 *
 * Every byte a flood prints costs CPU at each hop: the printing process and the kernel's PTY
 * work, then this host, the hub, its screen and search workers. Read as fast as it comes, four
 * `yes` kept both cores of a 2-core machine busy, and the hub's thread spent more time waiting
 * for a core than running: an echo then waited 10-30 ms at a hop for its process to be
 * scheduled. tmux reads floods no faster than its one thread parses them, which leaves cores
 * idle for the keystroke. This does the same on purpose: a flood's PTY is paused for as long as
 * its share of the rate says, so the process printing it sleeps instead of competing. Reading
 * goes back to full speed a second after the last keystroke (`HubOutbox`'s interactive window),
 * and nothing is dropped: a paused PTY only makes its writer wait.
 */

/**
 * All bulk sessions together, while someone types: far more than anyone reads (~15,000 lines a
 * second), a few % of a core. 2 MiB/s gave an echo p99 of 9.7-16 ms with 4 `yes` on the 2-core
 * machine, 1 MiB/s 7.1-9.2 ms (docs/BENCHMARKS.md, "Cold and warm").
 */
export const BULK_BYTES_PER_SECOND_WHILE_TYPING = 1024 * 1024;
/** Reading may run this far ahead of the rate before a pause (one full event). */
const BURST_BYTES = 64 * 1024;

export class BulkThrottle {
  /** When the bytes read so far are paid for, at the rate. */
  private paidUntil = 0;

  constructor(private readonly bytesPerSecond = BULK_BYTES_PER_SECOND_WHILE_TYPING) {}

  /** `bytes` were read from a bulk session while someone types: ms to wait before reading more (0: none). */
  take(bytes: number, now: number): number {
    const burstMs = (BURST_BYTES / this.bytesPerSecond) * 1000;
    this.paidUntil = Math.max(this.paidUntil, now - burstMs) + (bytes / this.bytesPerSecond) * 1000;
    return Math.max(0, Math.ceil(this.paidUntil - now));
  }
}
