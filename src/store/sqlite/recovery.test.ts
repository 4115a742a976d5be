/**
 * Recovery of a damaged file, page by page: one event's payload overflow page overwritten the
 * way `test/faults.test.ts` does it (4096 bytes of 0xA5), at a place chosen through SQLite's
 * `dbstat` table rather than by luck, and a database written before events had checksums.
 */
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../../test/sessionRecord.js";
import type { SessionEvent } from "../../protocol/events.js";
import { MIGRATIONS } from "./migrations.js";
import { openChecked } from "./recovery.js";
import { SqliteStore } from "./SqliteStore.js";

let dir: string;
let path: string;
const opened: SqliteStore[] = [];

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dispatch-recovery-"));
  path = join(dir, "dispatch.db");
});

afterEach(() => {
  for (const store of opened.splice(0)) store.close();
  rmSync(dir, { recursive: true, force: true });
});

const session = sessionRecord({ id: "s1", name: "kept", status: "exited", exitCode: 0, pid: null });

/** Seq of the one event large enough to spill onto overflow pages (30 KB: 8 pages of 4 KiB). */
const LARGE_SEQ = 8;
const EVENTS = 20;

/** Output events 1..20; seq 8 is large, the others 100 bytes, each a distinct digit. */
function outputEvents(): SessionEvent[] {
  const events: SessionEvent[] = [];
  for (let seq = 1; seq <= EVENTS; seq++) {
    const data = Buffer.alloc(seq === LARGE_SEQ ? 30_000 : 100, 0x30 + (seq % 10));
    events.push({ session: "s1", seq, ts: 2000 + seq, type: "output", data });
  }
  return events;
}

/** The `events` table's overflow pages in chain order (all of them the large event's). */
function overflowPages(): number[] {
  const db = new Database(path);
  try {
    db.pragma("wal_checkpoint(TRUNCATE)");
    return db
      .prepare<[], { pageno: number }>(
        "SELECT pageno FROM dbstat WHERE name = 'events' AND pagetype = 'overflow' ORDER BY path",
      )
      .all()
      .map((row) => row.pageno);
  } finally {
    db.close();
  }
}

/** What `test/faults.test.ts` does to the file: one whole page of 0xA5. */
function overwritePage(page: number): void {
  const fd = openSync(path, "r+");
  try {
    writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (page - 1) * 4096);
  } finally {
    closeSync(fd);
  }
}

function recover(): { store: SqliteStore; report: string } {
  const { store, recovery } = openChecked(path);
  opened.push(store);
  expect(recovery).toBeDefined();
  return { store, report: recovery?.report ?? "" };
}

function expectKeptExactly(store: SqliteStore, expected: readonly SessionEvent[], dropped: number): void {
  const kept = store.readEvents("s1", 0);
  expect(kept.map((e) => e.seq)).toEqual(expected.filter((e) => e.seq !== dropped).map((e) => e.seq));
  for (const event of kept) expect(event).toEqual(expected[event.seq - 1]);
}

describe("recovery of an event whose overflow page was overwritten", () => {
  it.each([
    // The last page: its bytes are read back as payload without an error, so only the
    // checksum tells them from what the session printed.
    { page: "the last", pick: (pages: number[]) => pages[pages.length - 1] as number, problem: "checksum" },
    // A middle page: its next-page pointer is garbage, reading the row fails.
    { page: "a middle", pick: (pages: number[]) => pages[3] as number, problem: "unreadable" },
  ])(
    "$page overflow page: that event is dropped and named, every other one kept byte-exact",
    ({ pick, problem }) => {
      const events = outputEvents();
      const store = SqliteStore.open(path);
      store.insertSession(session);
      store.appendBatch(events);
      store.close();
      const pages = overflowPages();
      expect(pages).toHaveLength(8);
      overwritePage(pick(pages));

      const { store: recovered, report } = recover();
      expectKeptExactly(recovered, events, LARGE_SEQ);
      expect(report).toContain(
        `kept (s1): ${EVENTS - 1} events, last seq ${EVENTS}; dropped 1 damaged event: seq 8 (`,
      );
      expect(report).toContain(problem);
      // Later events are kept, so the last seq stays where it was and no host resends them.
      expect(recovered.getSession("s1")?.lastSeq).toBe(EVENTS);
      expect(recovered.check({ full: true })).toEqual([]);
    },
  );

  it("a damaged last event moves the last seq back, so a host that holds it can resend it", () => {
    const events = outputEvents().slice(0, LARGE_SEQ);
    const store = SqliteStore.open(path);
    store.insertSession(session);
    store.appendBatch(events);
    store.close();
    overwritePage(overflowPages().at(-1) as number);

    const { store: recovered, report } = recover();
    expect(report).toContain("kept (s1): 7 events, last seq 7; dropped 1 damaged event: seq 8");
    expect(recovered.lastSeq("s1")).toBe(7);
    const resent = events[LARGE_SEQ - 1] as SessionEvent;
    expect(recovered.appendBatch([resent])).toEqual([resent]);
    expectKeptExactly(recovered, events, 0);
  });
});

describe("checksums", () => {
  it("a full check names an event whose stored bytes changed and says what to do", () => {
    const store = SqliteStore.open(path);
    opened.push(store);
    store.insertSession(session);
    store.appendBatch(outputEvents());
    expect(store.check({ full: true })).toEqual([]);
    const db = new Database(path);
    db.prepare("UPDATE events SET data = ? WHERE seq = 3").run(Buffer.from("not what was printed"));
    db.prepare("UPDATE events SET ts = 'garbled' WHERE seq = 5").run();
    db.close();
    const problems = store.check({ full: true });
    expect(problems).toEqual([
      expect.stringContaining("event kept#3 has bytes that do not match its checksum"),
      expect.stringContaining("event kept#5 has no valid time"),
    ]);
    expect(problems[0]).toContain("dispatch doctor --repair");
    // The quick check at start reads pages, not events: it stays cheap.
    expect(store.check({ full: false })).toEqual([]);
  });

  it("a database from before checksums opens, checks clean, and recovers its unchecked events", () => {
    // Schema version 5, with rows written the way that version wrote them (no checksum).
    const old = new Database(path);
    old.exec("CREATE TABLE migrations (version INTEGER PRIMARY KEY, applied_at REAL NOT NULL)");
    for (const migration of MIGRATIONS.filter((m) => m.version <= 5)) {
      migration.up(old);
      old.prepare("INSERT INTO migrations (version, applied_at) VALUES (?, 0)").run(migration.version);
    }
    old
      .prepare(
        "INSERT INTO sessions (id, name, kind, host, status, cwd, cols, rows, created_at, last_activity_at, last_seq) " +
          "VALUES ('s1', 'kept', 'terminal', 'local', 'exited', '/tmp', 80, 24, 1000, 1000, ?)",
      )
      .run(EVENTS);
    const insert = old.prepare(
      "INSERT INTO events (session_id, seq, ts, type, data) VALUES ('s1', ?, ?, ?, ?)",
    );
    const events = outputEvents();
    for (const e of events) insert.run(e.seq, e.ts, e.type, e.data as Buffer);
    old.close();

    const store = SqliteStore.open(path);
    expect(store.check({ full: true })).toEqual([]);
    expectKeptExactly(store, events, 0);
    store.close();

    overwritePage(overflowPages()[3] as number);
    const { store: recovered, report } = recover();
    expectKeptExactly(recovered, events, LARGE_SEQ);
    expect(report).toContain("dropped 1 damaged event: seq 8 (unreadable pages)");
    // Events appended after the upgrade carry a checksum again.
    const next: SessionEvent = {
      session: "s1",
      seq: EVENTS + 1,
      ts: 3000,
      type: "output",
      data: Buffer.from("x"),
    };
    recovered.appendBatch([next]);
    const db = new Database(path, { readonly: true });
    const sums = db
      .prepare<[], { seq: number; checksum: number | null }>(
        "SELECT seq, checksum FROM events WHERE seq IN (1, 21) ORDER BY seq",
      )
      .all();
    db.close();
    expect(sums[0]?.checksum).toBeNull();
    expect(sums[1]?.checksum).toEqual(expect.any(Number));
  });
});
