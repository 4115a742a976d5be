/**
 * Session list updates caused by output alone (preview, bytes, activity) reach clients at most
 * once per interval per session, and always on the trailing edge: the last output before a
 * pause is announced. Changes that matter (status, size) are announced at once elsewhere and
 * restart the interval.
 */

/** Announcements caused by output alone, at most this often per session. */
const ACTIVITY_NOTIFY_INTERVAL_MS = 1000;

export class ActivityThrottle {
  private readonly lastAnnounced = new Map<string, number>();
  private readonly timers = new Map<string, NodeJS.Timeout>();

  constructor(private readonly announce: (session: string) => void) {}

  /** Something was announced for this session just now (restarts its interval). */
  announced(session: string, now: number): void {
    this.lastAnnounced.set(session, now);
  }

  /** Output arrived: announce now, or at the end of the interval. */
  activity(session: string, now: number): void {
    if (this.timers.has(session)) return;
    const wait = (this.lastAnnounced.get(session) ?? 0) + ACTIVITY_NOTIFY_INTERVAL_MS - now;
    const fire = () => {
      this.timers.delete(session);
      this.lastAnnounced.set(session, Date.now());
      this.announce(session);
    };
    if (wait <= 0) return fire();
    const timer = setTimeout(fire, wait);
    timer.unref();
    this.timers.set(session, timer);
  }

  forget(session: string): void {
    clearTimeout(this.timers.get(session));
    this.timers.delete(session);
    this.lastAnnounced.delete(session);
  }

  dispose(): void {
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
  }
}
