/** What only the SQLite engine has: its file, its pragmas, its migration rows (Store.test.ts: the rest). */
import { mkdtempSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionRecord } from "../../../test/sessionRecord.js";
import { MIGRATIONS } from "./migrations.js";
import { SqliteStore } from "./SqliteStore.js";

let dir: string;
let path: string;
let store: SqliteStore;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dispatch-store-"));
  path = join(dir, "dispatch.db");
  store = SqliteStore.open(path);
});

afterEach(() => {
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

const session = sessionRecord({ id: "s1" });

describe("migrations", () => {
  it("creates every table from an empty file and records the version", () => {
    store.close();
    const db = new Database(path, { readonly: true });
    const tables = db
      .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
      .all()
      .map((row) => (row as { name: string }).name);
    expect(tables).toEqual(
      expect.arrayContaining(["audit", "events", "hosts", "migrations", "sessions", "snapshots", "tokens"]),
    );
    const versions = db.prepare("SELECT version, applied_at FROM migrations").all() as {
      version: number;
      applied_at: number;
    }[];
    expect(versions.map((v) => v.version)).toEqual(MIGRATIONS.map((m) => m.version));
    expect(versions[0]?.applied_at).toBeGreaterThan(0);
    expect(db.pragma("journal_mode", { simple: true })).toBe("wal");
    db.close();
  });

  it("does not reapply on reopen and keeps data", () => {
    store.insertSession({ ...session, command: ["bash"], env: {}, meta: {} });
    store.close();
    store = SqliteStore.open(path);
    expect(store.getSession("s1")?.name).toBe("s1");
    expect(store.file).toBe(path);
    store.close();
    const db = new Database(path, { readonly: true });
    const count = db.prepare("SELECT COUNT(*) AS n FROM migrations").get() as { n: number };
    expect(count.n).toBe(MIGRATIONS.length);
    db.close();
  });

  it("opens a store from before share labels (migration 8): its links keep working, unlabelled", () => {
    const link = { id: "l1", kind: "share", name: "s1", hash: "hl1", scope: "viewer", createdAt: 1 };
    store.insertToken(link);
    store.close();
    // The database as the release before labels left it.
    const db = new Database(path);
    db.exec("ALTER TABLE tokens DROP COLUMN label; DELETE FROM migrations WHERE version = 8");
    db.close();

    store = SqliteStore.open(path);
    expect(store.findTokenByHash("hl1")).toMatchObject({ id: "l1", label: null });
    expect(store.people.shares().map((s) => [s.id, s.label])).toEqual([["l1", null]]);
    store.insertToken({ ...link, id: "l2", hash: "hl2", label: "ada" });
    expect(store.findTokenByHash("hl2")?.label).toBe("ada");
  });

  it("refuses a database from a newer dispatch", () => {
    store.close();
    const db = new Database(path);
    db.prepare("INSERT INTO migrations (version, applied_at) VALUES (999, 0)").run();
    db.close();
    expect(() => SqliteStore.open(path)).toThrow(/schema version 999/);
    store = SqliteStore.open(":memory:");
  });
});

describe("file", () => {
  it("is created with mode 0600", () => {
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("gives back the write-ahead log's space once a flood is checkpointed", () => {
    store.wal.checkpointOnlyOnRequest();
    store.insertSession({ ...session, command: ["bash"], env: {}, meta: {} });
    const chunk = new Uint8Array(64 * 1024).fill(0x61);
    const flood = Array.from({ length: 400 }, (_, i) => ({
      session: "s1",
      seq: i + 1,
      ts: i,
      type: "output" as const,
      data: chunk,
    }));
    store.appendBatch(flood);
    expect(statSync(`${path}-wal`).size).toBeGreaterThan(24 * 1024 * 1024);
    store.wal.checkpoint();
    // The next write starts the log afresh, and cuts the file back.
    store.appendBatch([{ session: "s1", seq: 401, ts: 401, type: "output", data: chunk }]);
    expect(statSync(`${path}-wal`).size).toBeLessThanOrEqual(8 * 1024 * 1024);
  });
});

describe("appends", () => {
  it("reuse one transaction: a key's batch builds no new one (a tenth of the hub's garbage per key)", () => {
    store.insertSession({ ...session, command: ["bash"], env: {}, meta: {} });
    const made = vi.spyOn(Database.prototype, "transaction");
    try {
      const key = (seq: number) => ({
        session: "s1",
        seq,
        ts: seq,
        type: "output" as const,
        data: Uint8Array.of(0x61),
      });
      store.appendBatch([key(1)]);
      store.appendBatch([key(2), key(3)]);
      expect(made).not.toHaveBeenCalled();
      expect(store.readEvents("s1", 0).map((event) => event.seq)).toEqual([1, 2, 3]);
      // A refused batch (a seq jump) rolls back as before and leaves the next one whole.
      expect(store.appendBatch([key(9)])).toEqual([]);
      store.appendBatch([key(4)]);
      expect(store.lastSeq("s1")).toBe(4);
    } finally {
      made.mockRestore();
    }
  });
});
