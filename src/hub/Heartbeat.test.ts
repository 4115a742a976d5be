import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { Heartbeat, type HeartbeatState, healthOf } from "./Heartbeat.js";

const INTERVAL_MS = 1000;

describe("healthOf", () => {
  it("grades round-trip time and missed beats", () => {
    expect(healthOf(null, 0)).toBe("unknown");
    expect(healthOf(5, 0)).toBe("healthy");
    expect(healthOf(800, 0)).toBe("warning");
    expect(healthOf(5, 1)).toBe("warning");
    expect(healthOf(5, 2)).toBe("critical");
    expect(healthOf(5000, 0)).toBe("critical");
  });
});

describe("Heartbeat", () => {
  let sent: number[];
  let changes: HeartbeatState[];
  let failed: HeartbeatState | undefined;
  let beat: Heartbeat;

  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    changes = [];
    failed = undefined;
    beat = new Heartbeat({
      intervalMs: INTERVAL_MS,
      send: (t) => sent.push(t),
      onHealth: (state) => changes.push(state),
      onFail: (state) => {
        failed = state;
      },
    });
  });

  afterEach(() => {
    beat.dispose();
    vi.useRealTimers();
  });

  const answerLast = (delayMs = 3) => {
    vi.advanceTimersByTime(delayMs);
    beat.pong(sent[sent.length - 1] as number);
  };

  it("pings at once and every interval, and is healthy while answered", () => {
    beat.start();
    expect(sent).toHaveLength(1);
    answerLast();
    expect(beat.state).toEqual({ health: "healthy", rttMs: 3, missed: 0 });
    for (let i = 0; i < 5; i++) {
      vi.advanceTimersByTime(INTERVAL_MS - 3);
      answerLast();
    }
    expect(sent).toHaveLength(6);
    expect(changes.map((c) => c.health)).toEqual(["healthy"]);
    expect(failed).toBeUndefined();
  });

  it("warns, turns critical and fails three intervals after the last answer", () => {
    beat.start();
    answerLast();
    vi.advanceTimersByTime(INTERVAL_MS * 2);
    expect(beat.state.health).toBe("warning");
    vi.advanceTimersByTime(INTERVAL_MS - 1);
    expect(beat.state.health).toBe("critical");
    expect(failed).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(failed?.missed).toBe(3);
    expect(changes.map((c) => c.health)).toEqual(["healthy", "warning", "critical"]);
    const count = sent.length;
    vi.advanceTimersByTime(INTERVAL_MS * 5);
    expect(sent).toHaveLength(count);
  });

  it("recovers when a late answer arrives before the failure", () => {
    beat.start();
    answerLast();
    vi.advanceTimersByTime(INTERVAL_MS * 2);
    expect(beat.state.health).toBe("warning");
    beat.pong(sent[1] as number);
    expect(beat.state).toMatchObject({ health: "warning", missed: 0 }); // a 1 s round trip
    vi.advanceTimersByTime(INTERVAL_MS);
    answerLast();
    expect(beat.state.health).toBe("healthy");
    expect(failed).toBeUndefined();
  });

  it("fails a host silent from the start within three intervals", () => {
    beat.start();
    vi.advanceTimersByTime(INTERVAL_MS * 3 - 1);
    expect(failed).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(failed).toBeDefined();
  });

  it("fails a host that freezes mid-interval three intervals after its last answer", () => {
    beat.start();
    answerLast();
    vi.advanceTimersByTime(INTERVAL_MS - 3);
    vi.advanceTimersByTime(400);
    answerLast(); // a late answer to the second ping: the last sign of life, at 1403 ms
    const lastAnswer = Date.now();
    vi.advanceTimersByTime(INTERVAL_MS * 3 - 1);
    expect(failed).toBeUndefined();
    vi.advanceTimersByTime(1);
    expect(failed).toBeDefined();
    expect(Date.now() - lastAnswer).toBe(INTERVAL_MS * 3);
  });

  it("does not fail a host for time this process itself was stalled: its answer, read late, counts", () => {
    // The clock the heartbeat reads runs ahead of the timers by the time the process was held.
    let heldMs = 0;
    beat = new Heartbeat({
      intervalMs: INTERVAL_MS,
      send: (t) => sent.push(t),
      onFail: (state) => {
        failed = state;
      },
      now: () => Date.now() + heldMs,
    });
    beat.start();
    answerLast(0);
    vi.advanceTimersByTime(INTERVAL_MS / 2);
    // Held for 4 s from here: nothing ran, and the timers due meanwhile all run as it resumes,
    // before the host's answer to the ping sent as it resumed is read.
    heldMs = 4 * INTERVAL_MS;
    vi.advanceTimersByTime(INTERVAL_MS * 3);
    expect(failed).toBeUndefined();
    beat.pong(sent[sent.length - 1] as number);
    vi.advanceTimersByTime(INTERVAL_MS * 2);
    expect(failed).toBeUndefined();
    // A host that stays silent after the stall is still failed three intervals after its answer.
    vi.advanceTimersByTime(INTERVAL_MS);
    expect(failed).toBeDefined();
  });

  it("ignores answers to pings it never sent", () => {
    beat.start();
    beat.pong(12345);
    expect(beat.state).toEqual({ health: "unknown", rttMs: null, missed: 1 });
  });

  it("stops beating when disposed", () => {
    beat.start();
    beat.dispose();
    vi.advanceTimersByTime(INTERVAL_MS * 10);
    expect(sent).toHaveLength(1);
    expect(failed).toBeUndefined();
  });
});
