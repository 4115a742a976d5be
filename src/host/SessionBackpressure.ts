/**
 * When the host pauses a session's PTY for the hub's sake: while too much of its output waits
 * for the hub's acknowledgement, and while someone types elsewhere and its flood reads at the
 * bulk rate (`BulkThrottle`). A paused PTY only makes the program wait, as with a real
 * terminal's flow control; nothing is dropped.
 */
import { BulkThrottle } from "./BulkThrottle.js";
import type { BufferedEvent } from "./EventBuffer.js";
import type { HostedSession } from "./HostedSession.js";
import type { HubOutbox } from "./HubOutbox.js";

/**
 * While a hub is connected and this much output is unacknowledged, the PTY is paused (the
 * program blocks on write); resumed at the low watermark. Well below the buffer bound
 * (`DEFAULT_BUFFER_LIMIT_BYTES`), so a connected hub never causes a gap.
 */
const PAUSE_HIGH_WATER_BYTES = 4 * 1024 * 1024;
const PAUSE_LOW_WATER_BYTES = 1024 * 1024;

export class SessionBackpressure {
  private readonly throttle = new BulkThrottle();
  /** Sessions whose PTY waits for the bulk rate while someone types, with their resume timers. */
  private readonly throttled = new Map<string, NodeJS.Timeout>();

  /** `event` of `session` went into `outbox`: pause the session if the hub is falling behind. */
  sent(session: HostedSession, event: BufferedEvent, outbox: HubOutbox): void {
    if (session.bufferedBytes >= PAUSE_HIGH_WATER_BYTES) session.setPaused(true);
    else if (event.outputBytes > 0 && outbox.isBulkWhileTyping(session.id)) this.slowDown(session, event);
  }

  /** The hub acknowledged some of `session`'s events: resume it once low enough, unless throttled. */
  acknowledged(session: HostedSession): void {
    if (session.bufferedBytes <= PAUSE_LOW_WATER_BYTES && !this.throttled.has(session.id))
      session.setPaused(false);
  }

  /** No hub any more: nobody to apply backpressure for, so every session runs (its buffer bounds memory). */
  release(sessions: Iterable<HostedSession>): void {
    for (const timer of this.throttled.values()) clearTimeout(timer);
    this.throttled.clear();
    for (const session of sessions) session.setPaused(false);
  }

  /** The session `id` is being forgotten: its pending resume is of no use. */
  forget(id: string): void {
    clearTimeout(this.throttled.get(id));
    this.throttled.delete(id);
  }

  /** Output of a flood while someone types: its PTY waits for its share of the bulk rate. */
  private slowDown(session: HostedSession, event: BufferedEvent): void {
    const wait = this.throttle.take(event.outputBytes, Date.now());
    if (wait === 0 || this.throttled.has(session.id)) return;
    session.setPaused(true);
    const timer = setTimeout(() => {
      this.throttled.delete(session.id);
      // Paused for the hub as well: the acknowledgement that brings it low resumes it.
      if (session.bufferedBytes <= PAUSE_LOW_WATER_BYTES) session.setPaused(false);
    }, wait);
    timer.unref();
    this.throttled.set(session.id, timer);
  }
}
