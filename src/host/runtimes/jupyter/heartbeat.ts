/**
 * A kernel's heartbeat channel (a Request socket): a ping every second, its health from the
 * beats it missed in a row, told as it changes; frozen after `FAIL_MISSED_BEATS`.
 */
import type { Request } from "zeromq";
import type { KernelHealth } from "../../../protocol/workspace/events.js";

const HEARTBEAT_MS = 1000;
/**
 * Unanswered beats after which a kernel counts as frozen, as for hosts: three beats. A kernel
 * busy evaluating still answers (its heartbeat runs in its own thread), so only a stopped or
 * wedged process gets here.
 */
const FAIL_MISSED_BEATS = 3;

export interface HeartbeatHandlers {
  onHealth(health: KernelHealth): void;
  /** The kernel missed `FAIL_MISSED_BEATS` heartbeats in a row: it is frozen (told once). */
  onUnresponsive(missed: number): void;
}

export class Heartbeat {
  private readonly socket: Request;
  private readonly timer: NodeJS.Timeout;
  private stopped = false;
  private missedBeats = 0;
  private health: KernelHealth = "ok";
  private inFlight = false;

  constructor(zmq: typeof import("zeromq"), address: string, handlers: HeartbeatHandlers) {
    this.socket = new zmq.Request({
      linger: 0,
      relaxed: true,
      correlate: true,
      receiveTimeout: HEARTBEAT_MS,
    });
    this.socket.connect(address);
    this.timer = setInterval(() => void this.beat(handlers), HEARTBEAT_MS);
    this.timer.unref();
  }

  private async beat(handlers: HeartbeatHandlers): Promise<void> {
    if (this.inFlight || this.stopped) return;
    this.inFlight = true;
    try {
      await this.socket.send("ping");
      await this.socket.receive();
      this.missedBeats = 0;
    } catch {
      this.missedBeats++;
    } finally {
      this.inFlight = false;
    }
    if (this.stopped) return;
    const next: KernelHealth =
      this.missedBeats === 0 ? "ok" : this.missedBeats === 1 ? "warning" : "critical";
    if (next !== this.health) {
      this.health = next;
      handlers.onHealth(next);
    }
    if (this.missedBeats === FAIL_MISSED_BEATS) handlers.onUnresponsive(this.missedBeats);
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
    try {
      this.socket.close();
    } catch {
      // Closing twice is fine.
    }
  }
}
