/**
 * Heartbeats of one host link. The hub sends `ping {t}` every interval; the host echoes `pong
 * {t}`. This receiver owns the two-stage timeout: one unanswered beat is a warning, two are
 * critical, and three intervals without any answer declare the host unresponsive (`onFail`).
 * The failure deadline runs from the last answer received, not from the beats, so a host that
 * freezes at any moment is failed at most three intervals later (6 s by default); one slow
 * answer (a laptop waking up) raises no alarm beyond a warning. Time this process itself did
 * not run (a loaded machine, a laptop asleep) is not counted against the host: it had no ping
 * to answer, and its answers may be waiting unread (`STALLED_BEATS`).
 */
import type { ConnectionHealth } from "../protocol/hosts.js";

/** Default beat: 2 s, so a dead host is detected within 6 s (three beats). */
export const DEFAULT_HEARTBEAT_MS = 2_000;
/** Unanswered beats that make the link `warning`, `critical`, and declare it failed. */
export const WARNING_MISSED_BEATS = 1;
export const CRITICAL_MISSED_BEATS = 2;
export const FAIL_MISSED_BEATS = 3;
/**
 * A beat this many intervals after the previous one means this process was stalled meanwhile
 * (its own timers ran late): the failure budget starts again, as the host could not have
 * answered pings that were never sent, and answers that came are read only after the timers
 * run. Without it a hub node held for 1.5 s by a loaded machine dropped a healthy host's link
 * (3 beats of the 500 ms the cluster tests use), and its sessions were refused input meanwhile.
 */
export const STALLED_BEATS = 2;
/** Round-trip times above these are `warning` / `critical` even when every beat is answered. */
export const RTT_WARNING_MS = 500;
export const RTT_CRITICAL_MS = 2_000;

export interface HeartbeatState {
  health: ConnectionHealth;
  /** Round-trip time of the latest answered beat; null before the first answer. */
  rttMs: number | null;
  /** Beats sent since the last answer. */
  missed: number;
}

export interface HeartbeatOptions {
  intervalMs: number;
  /** Sends `ping {t}` to the host. */
  send: (t: number) => void;
  /** Health changed (RTT alone moving within a band is not a change). */
  onHealth?: (state: HeartbeatState) => void;
  /** No answer for `FAIL_MISSED_BEATS` intervals since the last one. Beating stops. */
  onFail: (state: HeartbeatState) => void;
  now?: () => number;
}

export function healthOf(rttMs: number | null, missed: number): ConnectionHealth {
  if (missed >= CRITICAL_MISSED_BEATS || (rttMs !== null && rttMs >= RTT_CRITICAL_MS)) return "critical";
  if (missed >= WARNING_MISSED_BEATS || (rttMs !== null && rttMs >= RTT_WARNING_MS)) return "warning";
  if (rttMs === null) return "unknown";
  return "healthy";
}

export class Heartbeat {
  private timer: NodeJS.Timeout | undefined;
  /** Fires `FAIL_MISSED_BEATS` intervals after the last answer (or the start). */
  private deadline: NodeJS.Timeout | undefined;
  /** `t` of every ping still unanswered, oldest first (bounded by FAIL_MISSED_BEATS). */
  private readonly outstanding: number[] = [];
  private rttMs: number | null = null;
  private health: ConnectionHealth = "unknown";
  /** When the last beat ran (`now()`); undefined before the first. */
  private lastBeatAt: number | undefined;
  private readonly now: () => number;

  constructor(private readonly options: HeartbeatOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): HeartbeatState {
    return { health: this.health, rttMs: this.rttMs, missed: this.outstanding.length };
  }

  /** Sends the first ping at once, then one per interval. */
  start(): void {
    if (this.timer) return;
    this.armDeadline();
    this.beat();
    this.timer = setInterval(() => this.beat(), this.options.intervalMs);
    this.timer.unref?.();
  }

  /** An answer: any ping of ours still outstanding proves the host alive. */
  pong(t: number): void {
    const index = this.outstanding.indexOf(t);
    // Not one of ours (or already answered): a host cannot fake its round-trip time this way.
    if (index < 0) return;
    this.outstanding.length = 0;
    this.rttMs = Math.max(0, this.now() - t);
    if (this.timer) this.armDeadline();
    this.update();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    if (this.deadline) clearTimeout(this.deadline);
    this.timer = undefined;
    this.deadline = undefined;
  }

  /**
   * The budget counts from the last sign of life. Checking the count of outstanding pings at
   * each tick instead failed a host one interval late (8 s rather than 6 s by default): the
   * third unanswered ping is only *sent* three intervals after the last answer.
   */
  private armDeadline(): void {
    if (this.deadline) clearTimeout(this.deadline);
    this.deadline = setTimeout(() => this.fail(), this.options.intervalMs * FAIL_MISSED_BEATS);
    this.deadline.unref?.();
  }

  private fail(): void {
    if (this.stalled()) {
      this.armDeadline();
      return;
    }
    this.dispose();
    this.update();
    this.options.onFail(this.state);
  }

  /** Whether this process's own beat is overdue: it did not run for a while. */
  private stalled(now = this.now()): boolean {
    return this.lastBeatAt !== undefined && now - this.lastBeatAt >= this.options.intervalMs * STALLED_BEATS;
  }

  private beat(): void {
    let t = this.now();
    if (this.stalled(t)) this.armDeadline();
    this.lastBeatAt = t;
    // Two beats in the same millisecond (fake clocks) must still be told apart.
    const last = this.outstanding[this.outstanding.length - 1];
    if (last !== undefined && t <= last) t = last + 1;
    this.outstanding.push(t);
    // Missed beats are those sent before this one and not answered.
    this.update(this.outstanding.length - 1);
    this.options.send(t);
  }

  private update(missed = this.outstanding.length): void {
    const health = healthOf(this.rttMs, missed);
    if (health === this.health) return;
    this.health = health;
    this.options.onHealth?.({ health, rttMs: this.rttMs, missed });
  }
}
