import { mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import type { SessionEvent } from "../protocol/events.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { HubEvents } from "./HubEvents.js";
import { type StoredBatchEntry, StoreWriter } from "./StoreWriter.js";

const enc = new TextEncoder();
const output = (seq: number): SessionEvent => ({
  session: "s1",
  seq,
  ts: 1000 + seq,
  type: "output",
  data: enc.encode(`line ${seq}\n`),
});

describe("StoreWriter after a failed commit", () => {
  let dir: string;
  let fault: string;
  let store: SqliteStore;
  let writer: StoreWriter;
  let stored: StoredBatchEntry[];
  let failures: string[][];

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-writer-"));
    fault = join(dir, "fail");
    process.env.DISPATCH_TEST_FAULT_FILE = fault;
    store = SqliteStore.open(join(dir, "db"));
    delete process.env.DISPATCH_TEST_FAULT_FILE;
    store.insertSession(sessionRecord({ id: "s1", name: "one" }));
    stored = [];
    failures = [];
    writer = new StoreWriter({
      store,
      logger: pino({ level: "silent" }),
      onStored: (entries) => stored.push(...entries),
      onFailed: (_err, sessions) => failures.push(sessions),
    });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("drops later events instead of recording a gap, and takes the host's resend in order", () => {
    for (const seq of [1, 2, 3]) writer.add(output(seq));
    writer.flush();
    writeFileSync(fault, "");
    for (const seq of [4, 5]) writer.add(output(seq));
    writer.flush();
    expect(failures).toEqual([["s1"]]);
    expect(writer.awaitingResend.has("s1")).toBe(true);
    expect(writer.resumeAfter("s1")).toBe(3);
    rmSync(fault);
    // Still streaming live before the host hears of the failure: not a seq jump.
    for (const seq of [6, 7]) writer.add(output(seq));
    writer.flush();
    // The host's resend after `sync {s1: 3}`, then live again.
    for (const seq of [4, 5, 6, 7, 8]) writer.add(output(seq));
    writer.flush();
    expect(writer.awaitingResend.size).toBe(0);
    const log = store.readEvents("s1", 0);
    expect(log.map((e) => [e.seq, e.type])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((seq) => [seq, "output"]));
    expect(stored.map((e) => e.event.seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
  });

  it("still records a gap for a seq the host skipped while nothing failed", () => {
    writer.add(output(1));
    writer.add(output(3));
    writer.flush();
    expect(store.readEvents("s1", 0).map((e) => [e.seq, e.type])).toEqual([
      [1, "output"],
      [2, "gap"],
      [3, "output"],
    ]);
  });
});

describe("StoreWriter with a flood and a person typing", () => {
  let dir: string;
  let store: SqliteStore;
  let batches: { session: string; seq: number }[][];
  let writer: StoreWriter;
  const chunk = (id: string, seq: number, bytes: number): SessionEvent => ({
    session: id,
    seq,
    ts: 1000 + seq,
    type: "output",
    data: new Uint8Array(bytes).fill(121),
  });
  /** Resolves once everything added so far is stored (each turn commits and hands on). */
  const settled = () =>
    new Promise<void>((resolve) => {
      const poll = () =>
        store.lastSeq("echo") >= 2 && store.lastSeq("flood") >= 40 ? resolve() : setImmediate(poll);
      setImmediate(poll);
    });

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-writer-"));
    store = SqliteStore.open(join(dir, "db"));
    store.insertSession(sessionRecord({ id: "flood" }));
    store.insertSession(sessionRecord({ id: "echo" }));
    batches = [];
    writer = new StoreWriter({
      store,
      logger: pino({ level: "silent" }),
      onStored: (entries) =>
        batches.push(entries.map((e) => ({ session: e.event.session, seq: e.event.seq }))),
      onFailed: () => undefined,
    });
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("stores and hands on the typing session's echo before the flood queued ahead of it", async () => {
    writer.add(chunk("echo", 1, 5));
    for (let seq = 1; seq <= 40; seq++) writer.add(chunk("flood", seq, 32 * 1024));
    writer.expectEcho("echo");
    writer.add(chunk("echo", 2, 1));
    await settled();
    // The echo session's events (its earlier output too, so its order holds) form the first
    // batch, alone; the flood follows in slices of a bounded size, each in seq order.
    expect(batches[0]).toEqual([
      { session: "echo", seq: 1 },
      { session: "echo", seq: 2 },
    ]);
    expect(batches.length).toBeGreaterThan(2);
    const flood = batches.slice(1).flat();
    expect(flood.every((e) => e.session === "flood")).toBe(true);
    expect(flood.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(store.readEvents("flood", 0).map((e) => e.seq)).toEqual(flood.map((e) => e.seq));
  });

  it("leaves the write-ahead log alone while someone types, and checkpoints it once they stop", async () => {
    const dbBytes = () => statSync(join(dir, "db")).size;
    const storedUpTo = (seq: number) =>
      new Promise<void>((resolve) => {
        const poll = () => (store.lastSeq("flood") >= seq ? resolve() : setImmediate(poll));
        poll();
      });
    const before = dbBytes();
    // Someone keeps typing (one key now stands for a key every few hundred ms).
    writer.expectEcho("echo", Date.now() + 60_000);
    // 6 MiB while someone types: SQLite alone would have checkpointed inside a commit at 4 MiB.
    for (let seq = 1; seq <= 192; seq++) writer.add(chunk("flood", seq, 32 * 1024));
    await storedUpTo(192);
    expect(dbBytes()).toBe(before);
    // Nobody has typed for a while: the next commit is followed by a checkpoint.
    writer.expectEcho("echo", Date.now() - 60_000);
    writer.add(chunk("flood", 193, 32 * 1024));
    await storedUpTo(193);
    expect(dbBytes()).toBeGreaterThan(6 * 1024 * 1024);
    expect(store.readEvents("flood", 0, 1000)).toHaveLength(193);
  });

  it("commits a session whose answer is awaited first, without the pauses and deferred checkpoints of typing", async () => {
    const dbBytes = () => statSync(join(dir, "db")).size;
    writer.add(chunk("echo", 1, 5));
    for (let seq = 1; seq <= 40; seq++) writer.add(chunk("flood", seq, 32 * 1024));
    // Answers held one after another all along (one call now stands for an answer every few
    // hundred ms): nobody types.
    writer.expectAnswer("echo", Date.now() + 60_000);
    writer.add(chunk("echo", 2, 1));
    await settled();
    expect(batches[0]).toEqual([
      { session: "echo", seq: 1 },
      { session: "echo", seq: 2 },
    ]);
    // 6 MiB more: the log is checkpointed past 4 MiB (its events and each commit's pages) as
    // with nobody waiting (while someone types it is left alone up to 64 MiB).
    for (let seq = 41; seq <= 192; seq++) writer.add(chunk("flood", seq, 32 * 1024));
    await new Promise<void>((resolve) => {
      const poll = () => (store.lastSeq("flood") >= 192 ? resolve() : setImmediate(poll));
      poll();
    });
    expect(dbBytes()).toBeGreaterThan(3 * 1024 * 1024);
  });

  /** A writer that hears of the search worker's checkpoints on the bus returned. */
  const writerOnBus = (): HubEvents => {
    const bus = new HubEvents();
    writer = new StoreWriter({
      store,
      logger: pino({ level: "silent" }),
      onStored: () => {},
      onFailed: () => {},
      bus,
    });
    return bus;
  };

  // The worker announces each checkpoint; before its first, that it started and will make them.
  it.each(["wal-checkpointed", "wal-checkpointer"] as const)(
    "leaves the checkpoint to the search worker once it says %s",
    async (announcement) => {
      const bus = writerOnBus();
      const dbBytes = () => statSync(join(dir, "db")).size;
      const before = dbBytes();
      bus.emit(announcement);
      // Nobody types, 6 MiB: due on the hub's thread, but the worker takes it.
      for (let seq = 1; seq <= 192; seq++) writer.add(chunk("flood", seq, 32 * 1024));
      writer.flush();
      expect(store.lastSeq("flood")).toBe(192);
      expect(dbBytes()).toBe(before);
    },
  );

  // A key's echo is a byte or two but adds two 4 KiB pages to the log: counted by bytes alone,
  // 4 MiB was due after millions of keys (and ~8 GiB of log).
  it("counts each commit's log pages, so a long run of one-key commits is checkpointed too", () => {
    const dbBytes = () => statSync(join(dir, "db")).size;
    const before = dbBytes();
    for (let seq = 1; seq <= 600; seq++) {
      writer.add(chunk("echo", seq, 1));
      writer.flush();
    }
    expect(store.lastSeq("echo")).toBe(600);
    expect(dbBytes()).toBeGreaterThan(before);
  });

  // The worker used to checkpoint twice a second whenever it ran: a person typing after a flood
  // paid a checkpoint every ~16 keys, and the log's restart inside the next echo's commit.
  it("asks the search worker for a checkpoint once one is due, once until it is made", () => {
    const bus = writerOnBus();
    let asked = 0;
    bus.on("wal-checkpoint-due", () => asked++);
    const dbBytes = () => statSync(join(dir, "db")).size;
    const before = dbBytes();
    bus.emit("wal-checkpointer");
    let seq = 0;
    const flood = (mib: number) => {
      for (let i = 0; i < mib * 32; i++) writer.add(chunk("flood", ++seq, 32 * 1024));
      writer.flush();
    };
    flood(3);
    expect(asked).toBe(0);
    // Past 4 MiB: asked, and not again while the worker has not made it.
    flood(3);
    expect(asked).toBe(1);
    flood(3);
    expect(asked).toBe(1);
    expect(dbBytes()).toBe(before);
    // Made: the next one is counted from there.
    bus.emit("wal-checkpointed");
    flood(3);
    expect(asked).toBe(1);
    flood(3);
    expect(asked).toBe(2);
    // The worker stopped: the hub's own thread checkpoints again (nobody types).
    bus.emit("wal-checkpointer-gone");
    flood(1);
    expect(asked).toBe(2);
    expect(dbBytes()).toBeGreaterThan(before);
  });

  it("commits many one-line events in turns of a bounded count, so sockets are read between them", async () => {
    for (let seq = 1; seq <= 1000; seq++) writer.add(chunk("flood", seq, 6));
    await new Promise<void>((resolve) => {
      const poll = () => (store.lastSeq("flood") >= 1000 ? resolve() : setImmediate(poll));
      setImmediate(poll);
    });
    // 6 KB in all would be one slice by bytes; by count it is several, each in seq order.
    expect(batches.length).toBeGreaterThanOrEqual(4);
    expect(Math.max(...batches.map((batch) => batch.length))).toBeLessThanOrEqual(256);
    expect(batches.flat().map((e) => e.seq)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
  });

  it("keeps the flood in one lane, in order, when nobody types", async () => {
    writer.add(chunk("echo", 1, 5));
    writer.add(chunk("echo", 2, 5));
    for (let seq = 1; seq <= 40; seq++) writer.add(chunk("flood", seq, 32 * 1024));
    await settled();
    // Oldest first: the echo session's output was added first and is in the first slice.
    expect(batches[0]?.slice(0, 2)).toEqual([
      { session: "echo", seq: 1 },
      { session: "echo", seq: 2 },
    ]);
    expect(
      batches
        .flat()
        .filter((e) => e.session === "flood")
        .map((e) => e.seq),
    ).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
  });
});
