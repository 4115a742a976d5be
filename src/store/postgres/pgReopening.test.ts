/**
 * When a lost PostgreSQL connection is opened again, and what calls are told meanwhile: the
 * reopen state machine alone, its connects answered by the test on the pauses' own (fake) clock.
 * A real server going away and coming back is `test/postgresRecovery.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { NativeClient } from "./pgNative.js";
import { Reopening } from "./pgReopening.js";

const URL = "postgres://dispatch:secret@db.example:5432/dispatch";

/** A `Reopening` whose connects the test answers, with what it was asked to do. */
function reopening(setUp: (client: NativeClient) => void = () => {}) {
  let client: NativeClient | undefined;
  const connects: { at: number; answer: (ok: boolean) => void }[] = [];
  const ended: NativeClient[] = [];
  const told = { reopened: 0 };
  const newClient = (): NativeClient => {
    const fresh = { end: () => ended.push(fresh) } as unknown as NativeClient;
    return fresh;
  };
  const machine = new Reopening({
    url: URL,
    open: () =>
      new Promise<NativeClient>((resolve, reject) => {
        connects.push({
          at: performance.now(),
          answer: (ok) => (ok ? resolve(newClient()) : reject(new Error("connection refused"))),
        });
      }),
    connected: () => client !== undefined,
    setUp: (fresh) => {
      client = fresh;
      setUp(fresh);
    },
    drop: () => {
      client?.end();
      client = undefined;
    },
    reopened: () => told.reopened++,
  });
  /** Answers the latest connect and lets what follows from it run. */
  const answer = async (ok: boolean): Promise<void> => {
    connects.at(-1)?.answer(ok);
    await vi.advanceTimersByTimeAsync(0);
  };
  return { machine, connects, ended, told, answer, connected: () => client !== undefined };
}

describe("Reopening", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("opens a lost connection again at once, and after failed connects waits pauses growing from 1 s to 10 s", async () => {
    const { machine, connects, answer } = reopening();
    const start = performance.now();
    machine.lost(new Error("server closed the connection unexpectedly"), false);
    await vi.advanceTimersByTimeAsync(0);
    expect(connects).toHaveLength(1);
    expect(connects[0]?.at).toBe(start);
    const pauses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const failedAt = performance.now();
      await answer(false);
      await vi.advanceTimersByTimeAsync(10_000);
      pauses.push((connects[i + 1]?.at ?? Number.NaN) - failedAt);
    }
    expect(pauses).toEqual([1_000, 2_000, 4_000, 8_000, 10_000, 10_000]);
  });

  it("fails calls with why (password hidden) until a connection is open, then starts the pauses over", async () => {
    const { machine, connects, told, answer, connected } = reopening();
    machine.lost(new Error("server closed the connection unexpectedly"), false);
    await vi.advanceTimersByTimeAsync(0);
    await answer(false);
    expect(machine.reason?.message).toContain("db.example");
    expect(machine.reason?.message).not.toContain("secret");
    expect(machine.reconnecting()?.problem).toMatch(/^reconnecting: /);
    await vi.advanceTimersByTimeAsync(1_000);
    await answer(true);
    expect(connected()).toBe(true);
    expect(told.reopened).toBe(1);
    expect(machine.reason).toBeUndefined();
    expect(machine.reconnecting()).toBeUndefined();

    // A call that timed out on the new connection: the first pause again, not the next one.
    const before = connects.length;
    const lostAt = performance.now();
    machine.lost(new Error("no answer within DISPATCH_PG_TIMEOUT_MS"), true);
    await vi.advanceTimersByTimeAsync(999);
    expect(connects).toHaveLength(before);
    await vi.advanceTimersByTimeAsync(1);
    expect(connects).toHaveLength(before + 1);
    expect(connects.at(-1)?.at).toBe(lostAt + 1_000);
  });

  it("ends a connection that opens after the store was closed, and tries no more", async () => {
    const { machine, connects, ended, told, answer, connected } = reopening();
    machine.lost(new Error("server closed the connection unexpectedly"), false);
    await vi.advanceTimersByTimeAsync(0);
    machine.close();
    await answer(true);
    expect(ended).toHaveLength(1);
    expect(connected()).toBe(false);
    expect(told.reopened).toBe(0);
    expect(machine.reconnecting()).toBeUndefined();
    await vi.advanceTimersByTimeAsync(60_000);
    expect(connects).toHaveLength(1);
  });

  it("drops a connection its set-up refused, fails calls with the refusal, and tries again after a pause", async () => {
    let refuse = true;
    const { machine, connects, ended, told, answer, connected } = reopening(() => {
      if (refuse) throw new Error("another hub holds this node's lock");
    });
    machine.lost(new Error("server closed the connection unexpectedly"), false);
    await vi.advanceTimersByTimeAsync(0);
    await answer(true);
    expect(ended).toHaveLength(1);
    expect(connected()).toBe(false);
    expect(told.reopened).toBe(0);
    expect(machine.reason?.message).toBe("another hub holds this node's lock");
    await vi.advanceTimersByTimeAsync(999);
    expect(connects).toHaveLength(1);
    refuse = false;
    await vi.advanceTimersByTimeAsync(1);
    await answer(true);
    expect(connected()).toBe(true);
    expect(told.reopened).toBe(1);
  });
});
