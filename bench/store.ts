/**
 * The event store on its own (SqliteStore on a temporary file, as the hub opens it): batched
 * append rate and replay rate, with small events (keystroke echo, prompts) and large ones
 * (a flood coalesced into 16 KiB events).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { isOutputEvent, type SessionEvent } from "../src/protocol/events.js";
import { PostgresStore } from "../src/store/postgres/PostgresStore.js";
import type { SessionRecord, Store } from "../src/store/Store.js";
import { SqliteStore } from "../src/store/sqlite/SqliteStore.js";
import { type PostgresServer, startPostgres } from "../test/postgresServer.js";
import type { BenchContext } from "./context.js";
import { row } from "./report.js";
import { MiB } from "./stats.js";

const SUITE = "store";
/** The page size the hub's catch-up reads use (Subscription). */
const REPLAY_PAGE = 64;

export async function storeSuite(ctx: BenchContext): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-bench-store-"));
  const store = SqliteStore.open(join(dir, "dispatch.db"));
  try {
    measure(ctx, store, "");
  } finally {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  }
  await postgresRows(ctx);
}

/**
 * The same figures on PostgreSQL, one local server started for the run with its default
 * durability (each commit waits for its WAL flush; SQLite's WAL with synchronous=NORMAL does
 * not), so the rows show what a cluster's store costs against the embedded one.
 */
async function postgresRows(ctx: BenchContext): Promise<void> {
  let server: PostgresServer;
  try {
    server = await startPostgres({ durable: true });
  } catch (err) {
    ctx.note(
      `${SUITE}: PostgreSQL rows skipped (${err instanceof Error ? err.message.split("\n")[0] : err})`,
    );
    return;
  }
  try {
    const store = PostgresStore.open(await server.database());
    try {
      measure(ctx, store, "postgres: ");
    } finally {
      store.close();
    }
  } finally {
    await server.stop();
  }
}

function measure(ctx: BenchContext, store: Store, label: string): void {
  const postgres = label !== "";
  const small = ctx.quick || postgres ? 200_000 : 1_000_000;
  const rate = (count: number, ms: number) => count / (ms / 1000);

  const batched = append(store, "small-1000", small, 64, 1000);
  ctx.add(
    row(
      SUITE,
      `${label}append, 64 B events, batches of 1000`,
      rate(small, batched),
      "events/s",
      postgres ? undefined : { text: "≥ 100k events/s", min: 100_000 },
    ),
  );
  const fine = append(store, "small-10", small / 10, 64, 10);
  ctx.add(row(SUITE, `${label}append, 64 B events, batches of 10`, rate(small / 10, fine), "events/s"));

  // One event per commit: what a keystroke's echo waits for in the store.
  const single = appendLatencies(store, "single", ctx.quick ? 500 : 2000);
  ctx.add(row(SUITE, `${label}append one event, latency p50`, percentile(single, 0.5), "ms"));
  ctx.add(row(SUITE, `${label}append one event, latency p99`, percentile(single, 0.99), "ms"));

  const bigBytes = (ctx.quick || postgres ? 64 : 256) * MiB;
  const bigEvent = 16 * 1024;
  const bigCount = bigBytes / bigEvent;
  const big = append(store, "big", bigCount, bigEvent, 16);
  ctx.add(
    row(
      SUITE,
      `${label}append, 16 KiB events, batches of 16`,
      bigBytes / MiB / (big / 1000),
      "MiB/s",
      undefined,
      `${bigCount} events`,
    ),
  );

  const replayBig = replay(store, "big");
  ctx.add(
    row(
      SUITE,
      `${label}replay, 16 KiB events, pages of ${REPLAY_PAGE}`,
      replayBig.bytes / MiB / (replayBig.ms / 1000),
      "MiB/s",
    ),
  );
  const replaySmall = replay(store, "small-1000");
  ctx.add(
    row(
      SUITE,
      `${label}replay, 64 B events, pages of ${REPLAY_PAGE}`,
      rate(replaySmall.events, replaySmall.ms),
      "events/s",
    ),
  );
  for (const [id, expected, got] of [
    ["big", bigCount, replayBig.events],
    ["small-1000", small, replaySmall.events],
  ] as const) {
    if (expected !== got)
      ctx.note(`${SUITE}: ${label}replay of ${id} returned ${got} events, appended ${expected}`);
  }
}

/** Milliseconds each of `count` single-event appends took. */
function appendLatencies(store: Store, id: string, count: number): number[] {
  store.insertSession(record(id));
  const data = Buffer.alloc(64, "x");
  const times: number[] = [];
  for (let seq = 1; seq <= count; seq++) {
    const started = performance.now();
    store.appendBatch([{ session: id, seq, ts: Date.now(), type: "output", data }]);
    times.push(performance.now() - started);
  }
  return times;
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] ?? 0;
}

/** Appends `count` output events of `size` bytes in batches; returns milliseconds. */
function append(store: Store, id: string, count: number, size: number, batch: number): number {
  store.insertSession(record(id));
  const data = Buffer.alloc(size, "x");
  const ts = Date.now();
  const started = performance.now();
  for (let seq = 1; seq <= count; seq += batch) {
    const events: SessionEvent[] = [];
    for (let s = seq; s < seq + batch && s <= count; s++) {
      events.push({ session: id, seq: s, ts, type: "output", data });
    }
    const appended = store.appendBatch(events);
    if (appended.length !== events.length) throw new Error(`store refused events at seq ${seq}`);
  }
  return performance.now() - started;
}

function replay(store: Store, id: string): { ms: number; bytes: number; events: number } {
  const started = performance.now();
  let cursor = 0;
  let bytes = 0;
  let events = 0;
  for (;;) {
    const page = store.readEvents(id, cursor, REPLAY_PAGE);
    if (page.length === 0) break;
    for (const event of page) {
      if (isOutputEvent(event)) bytes += event.data.length;
      cursor = event.seq;
      events++;
    }
  }
  return { ms: performance.now() - started, bytes, events };
}

function record(id: string): SessionRecord {
  const now = Date.now();
  return {
    id,
    name: id,
    kind: "terminal",
    host: "local",
    status: "running",
    exitCode: null,
    reason: null,
    command: ["bench"],
    cwd: "/",
    cols: 80,
    rows: 24,
    pid: null,
    foreground: null,
    createdAt: now,
    lastActivityAt: now,
    lastSeq: 0,
    bytes: 0,
    preview: "",
    env: {},
    meta: {},
  };
}
