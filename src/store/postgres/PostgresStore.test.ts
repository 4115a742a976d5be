/** What only the PostgreSQL engine has: its migration rows and a server that can go away (Store.test.ts: the rest). */
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../test/harness.js";
import { type PostgresServer, startPostgres } from "../../../test/postgresServer.js";
import { sessionRecord } from "../../../test/sessionRecord.js";
import type { SessionEvent } from "../../protocol/events.js";
import { eventChecksum } from "../eventChecksum.js";
import { openStore } from "../openStore.js";
import { encodeEventData } from "../rows.js";
import { searchWords } from "../searchText.js";
import { describeStorageError, isStorageError } from "../storageErrors.js";
import { PG_MIGRATIONS } from "./migrations.js";
import { PostgresStore } from "./PostgresStore.js";

let server: PostgresServer;
let url: string;
let store: PostgresStore;

beforeAll(async () => {
  server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
});

beforeEach(async () => {
  url = await server.database();
  store = PostgresStore.open(url);
});

afterEach(() => {
  store.close();
});

async function sql<R>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}

const session = sessionRecord({ id: "s1" });

function output(seq: number): SessionEvent {
  return { session: "s1", seq, ts: seq, type: "output", data: new TextEncoder().encode(`line ${seq}\n`) };
}

describe("postgres migrations", () => {
  it("creates the tables once and records each version", async () => {
    store.close();
    store = PostgresStore.open(url);
    const versions = await sql<{ version: number }>("SELECT version FROM migrations ORDER BY version");
    expect(versions.map((v) => v.version)).toEqual(PG_MIGRATIONS.map((m) => m.version));
    const tables = await sql<{ tablename: string }>(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining([
        "audit",
        "events",
        "grants",
        "hosts",
        "sessions",
        "snapshots",
        "tokens",
        "users",
      ]),
    );
  });

  it("folds the search lines indexed before migration 5, so they are found without their accents", async () => {
    store.insertSession(session);
    const text = (seq: number, line: string): SessionEvent => ({
      session: "s1",
      seq,
      ts: seq,
      type: "output",
      data: new TextEncoder().encode(`${line}\n`),
    });
    store.appendBatch([text(1, "Ünïcode résumé"), text(2, "plain Cafe")]);
    while (store.search.catchUp(100)) {
      // Index everything, as the release before migration 5 did.
    }
    store.close();
    // The database as that release left it: no folded text (nor share labels, migration 6).
    await sql("ALTER TABLE search_lines DROP COLUMN folded");
    await sql("ALTER TABLE tokens DROP COLUMN label");
    await sql("DELETE FROM migrations WHERE version >= 5");

    store = PostgresStore.open(url);
    const find = (pattern: string) =>
      store.search.search({ words: searchWords(pattern), limit: 10 }).map((hit) => hit.line);
    expect(find("unicode resume")).toEqual(["Ünïcode résumé"]);
    expect(find("café")).toEqual(["plain Cafe"]);
    expect(store.readEvents("s1", 0).map((e) => e.seq)).toEqual([1, 2]);
  });

  it("opens a store from before share labels (migration 6): its links keep working, unlabelled", async () => {
    const link = { id: "l1", kind: "share", name: "s1", hash: "hl1", scope: "viewer", createdAt: 1 };
    store.insertToken(link);
    store.close();
    // The database as the release before labels left it.
    await sql("ALTER TABLE tokens DROP COLUMN label");
    await sql("DELETE FROM migrations WHERE version = 6");

    store = PostgresStore.open(url);
    expect(store.findTokenByHash("hl1")).toMatchObject({ id: "l1", label: null });
    expect(store.people.shares().map((s) => [s.id, s.label])).toEqual([["l1", null]]);
    store.insertToken({ ...link, id: "l2", hash: "hl2", label: "ada" });
    expect(store.findTokenByHash("hl2")?.label).toBe("ada");
  });

  it("refuses a database from a newer dispatch", async () => {
    await sql("INSERT INTO migrations (version, applied_at) VALUES (999, 0)");
    expect(() => PostgresStore.open(url)).toThrow(/schema version 999/);
  });
});

describe("postgres event checksums", () => {
  it("stores the same checksum as SQLite and a full check names an event whose bytes changed", async () => {
    store.insertSession({ ...session, command: ["bash"], env: {}, meta: {} });
    // More events than one page of the check reads, so the damaged one is on a later page.
    const events = Array.from({ length: 1200 }, (_, i) => output(i + 1));
    store.appendBatch(events);
    const [stored] = await sql<{ checksum: string }>("SELECT checksum FROM events WHERE seq = 1");
    const first = events[0] as SessionEvent;
    expect(Number(stored?.checksum)).toBe(eventChecksum(first, encodeEventData(first)));
    expect(store.check({ full: true })).toEqual([]);

    await sql("UPDATE events SET data = $1 WHERE seq = 1100", [Buffer.from("not what was printed")]);
    // A row from before checksums is unchecked, not damaged.
    await sql("UPDATE events SET checksum = NULL, data = $1 WHERE seq = 7", [Buffer.from("old row")]);
    const problems = store.check({ full: true });
    expect(problems).toEqual([
      expect.stringContaining("event s1#1100 has bytes that do not match its checksum"),
    ]);
    expect(problems[0]).toContain("restore from a backup");
    expect(store.check({ full: false })).toEqual([]);
  });
});

describe("postgres connection", () => {
  it("reports a lost connection as failing storage, fails at once while it reconnects, and heals", async () => {
    store.insertSession({ ...session, command: ["bash"], env: {}, meta: {} });
    store.appendBatch([output(1)]);
    // What a server restart or a dropped socket looks like to the hub's connection.
    await sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()",
    );
    let failure: unknown;
    try {
      store.appendBatch([output(2)]);
    } catch (err) {
      failure = err;
    }
    expect(isStorageError(failure)).toBe(true);
    expect(describeStorageError(failure)).toMatch(/PostgreSQL store is unavailable.*retries by itself/);
    // The new connection opens in the background: until then calls fail at once, saying why.
    expect(() => store.appendBatch([output(2)])).toThrow(
      /lost the connection to PostgreSQL at .*; reconnecting/,
    );
    // The hub retries the batch (the host resends from the last stored seq): it lands whole.
    const stored = await waitFor(
      () => {
        try {
          return store.appendBatch([output(2), output(3)]);
        } catch (err) {
          if (!isStorageError(err)) throw err;
          return undefined;
        }
      },
      { message: "a write succeeds once the store has reconnected" },
    );
    expect(stored.map((e) => e.seq)).toEqual([2, 3]);
    expect(store.readEvents("s1", 0).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it("says which server it cannot reach, without the password", () => {
    const unreachable = `postgres://dispatch:s3cret@127.0.0.1:${server.port + 1}/nowhere`;
    let failure: unknown;
    try {
      PostgresStore.open(unreachable);
    } catch (err) {
      failure = err;
    }
    expect(String(failure)).toMatch(
      /cannot connect to PostgreSQL at postgres:\/\/dispatch:\*\*\*@127\.0\.0\.1/,
    );
    expect(String(failure)).not.toContain("s3cret");
    expect(isStorageError(failure)).toBe(true);
  });

  it("is chosen by a postgres:// store setting; other schemes get a clear error", async () => {
    const opened = await openStore(url, "/nonexistent/dispatch.db");
    expect(opened.store.engine).toBe("postgres");
    opened.store.close();
    await expect(openStore("mysql://db/dispatch", "/tmp/x.db")).rejects.toThrow(
      /unknown store 'mysql:.*postgres:\/\//,
    );
  });

  it("lets one hub at a time use a database, naming the one holding it", async () => {
    const first = (await openStore(url, "/nonexistent/dispatch.db")).store;
    try {
      await expect(openStore(url, "/nonexistent/dispatch.db")).rejects.toThrow(
        /another hub already uses this PostgreSQL database \(connected from 127\.0\.0\.1.*one hub per database/,
      );
    } finally {
      first.close();
    }
    // Closing (or a dead hub's dropped connection) frees it.
    const next = (await openStore(url, "/nonexistent/dispatch.db")).store;
    expect(next.engine).toBe("postgres");
    next.close();
  });

  it("leaves backups to PostgreSQL's tools, saying so", async () => {
    await expect(store.backupTo("/tmp/never.db")).rejects.toThrow(/pg_dump/);
  });
});
