import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { SessionEvent } from "../protocol/events.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
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
    store.insertSession({
      id: "s1",
      name: "one",
      kind: "terminal",
      host: "local",
      status: "running",
      exitCode: null,
      reason: null,
      command: [],
      cwd: "/tmp",
      cols: 80,
      rows: 24,
      pid: 1,
      foreground: null,
      createdAt: 1,
      lastActivityAt: 1,
      lastSeq: 0,
      bytes: 0,
      preview: "",
      env: {},
      meta: {},
    });
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
