/** The search index in its own file: what it spares the event log, and how it heals. */
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../../test/sessionRecord.js";
import type { SessionEvent } from "../../protocol/events.js";
import { searchWords } from "../searchText.js";
import { SqliteStore } from "./SqliteStore.js";
import { removeSearchFile, searchFilePath } from "./searchFile.js";
import { createSearchSchema } from "./searchSchema.js";

let dir: string;
let path: string;
let store: SqliteStore | undefined;

const enc = new TextEncoder();
const output = (seq: number, text: string): SessionEvent => ({
  session: "a",
  seq,
  ts: 1000 + seq,
  type: "output",
  data: enc.encode(text),
});

function open(): SqliteStore {
  store?.close();
  store = SqliteStore.open(path);
  return store;
}

function find(s: SqliteStore, pattern: string): string[] {
  s.search.catchUp(1_000_000);
  return s.search.search({ words: searchWords(pattern), limit: 10 }).map((hit) => hit.line);
}

function tablesOf(file: string): string[] {
  const db = new Database(file, { readonly: true });
  try {
    return db
      .prepare<[], { name: string }>("SELECT name FROM sqlite_master WHERE type = 'table'")
      .all()
      .map((row) => row.name);
  } finally {
    db.close();
  }
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dispatch-search-file-"));
  path = join(dir, "dispatch.db");
});

afterEach(() => {
  store?.close();
  store = undefined;
  rmSync(dir, { recursive: true, force: true });
});

describe("the search index's own file", () => {
  it("sits beside the database, private, and holds every search table", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.appendBatch([output(1, "compiling widgets\r\n")]);
    expect(find(s, "widgets")).toEqual(["compiling widgets"]);
    s.close();
    const file = searchFilePath(path);
    expect(file).toBe(join(dir, "dispatch-search.db"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(tablesOf(path).filter((name) => name.startsWith("search_"))).toEqual([]);
    expect(tablesOf(file)).toEqual(expect.arrayContaining(["search_lines", "search_cursor", "search_text"]));
  });

  it("lets events be appended while another connection holds the index's write lock", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.appendBatch([output(1, "one\r\n")]);
    // What the index worker does while it writes a slice: a write transaction on the index.
    const indexer = new Database(searchFilePath(path));
    indexer.pragma("busy_timeout = 0");
    indexer.exec("BEGIN IMMEDIATE");
    indexer.prepare("INSERT INTO search_cursor (session_id, seq, carry) VALUES ('a', 1, '')").run();
    try {
      // With the index in the log's file this append waited for the lock (5 s, then SQLITE_BUSY).
      expect(s.appendBatch([output(2, "two\r\n")])).toHaveLength(1);
      expect(s.lastSeq("a")).toBe(2);
    } finally {
      indexer.exec("ROLLBACK");
      indexer.close();
    }
    expect(find(s, "two")).toEqual(["two"]);
  });

  it("removes a session without the index's write lock, and its index rows go in slices", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.insertSession(sessionRecord({ id: "b" }));
    s.appendBatch(Array.from({ length: 100 }, (_, i) => output(i + 1, `needle ${i + 1}\r\n`)));
    s.appendBatch([{ ...output(1, "needle in b\r\n"), session: "b" }]);
    expect(find(s, "needle 100")).toEqual(["needle 100"]);
    const rowsOfA = () => {
      const db = new Database(searchFilePath(path), { readonly: true });
      try {
        return db.prepare("SELECT COUNT(*) AS n FROM search_lines WHERE session_id = 'a'").pluck().get();
      } finally {
        db.close();
      }
    };
    expect(rowsOfA()).toBe(100);

    const indexer = new Database(searchFilePath(path));
    indexer.exec("BEGIN IMMEDIATE");
    indexer.prepare("INSERT INTO search_cursor (session_id, seq, carry) VALUES ('c', 1, '')").run();
    try {
      // Deleting the rows here too waited for this lock (then SQLITE_BUSY), and stopped the
      // hub's thread for as long as deleting them took.
      s.deleteSession("a");
    } finally {
      indexer.exec("ROLLBACK");
      indexer.close();
    }
    // Found no more at once, deleted by the indexer a slice at a time.
    expect(s.search.search({ words: searchWords("needle"), limit: 200 }).map((hit) => hit.line)).toEqual([
      "needle in b",
    ]);
    expect(s.search.catchUp(4)).toBe(true);
    expect(rowsOfA()).toBeGreaterThan(0);
    expect(find(s, "needle")).toEqual(["needle in b"]);
    expect(rowsOfA()).toBe(0);
    expect(s.search.catchUp(4)).toBe(false);
  });

  it("moves an index from the database (schema 6) into its own file and rebuilds it there", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.appendBatch([output(1, "from the old days\r\n")]);
    s.close();
    store = undefined;
    rmSync(searchFilePath(path));
    // The layout before migration 7: the index's tables in the main database (and none of the
    // later migrations: share labels came with 8).
    const db = new Database(path);
    db.exec("ALTER TABLE tokens DROP COLUMN label; DELETE FROM migrations WHERE version >= 7");
    createSearchSchema(db);
    db.prepare("INSERT INTO search_lines (session_id, seq, ts, text) VALUES ('a', 1, 1, 'stale row')").run();
    db.close();

    const reopened = open();
    expect(tablesOf(path).filter((name) => name.startsWith("search_"))).toEqual([]);
    expect(find(reopened, "old days")).toEqual(["from the old days"]);
    expect(find(reopened, "stale")).toEqual([]);
  });

  it("rebuilds an index file of the previous layout (text as stored, a trigger-fed FTS5 table)", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.appendBatch([output(1, "Ünïcode Ελλάδα\r\n"), output(2, "plain line\r\n")]);
    s.close();
    store = undefined;
    removeSearchFile(path);
    // The file as the release before SEARCH_FILE_VERSION left it: the default tokenizer over
    // the text as stored, every event indexed, no user_version.
    const old = new Database(searchFilePath(path));
    old.exec(`
      CREATE TABLE search_lines (id INTEGER PRIMARY KEY, session_id TEXT NOT NULL, seq INTEGER NOT NULL, ts REAL NOT NULL, text TEXT NOT NULL);
      CREATE VIRTUAL TABLE search_text USING fts5 (text, content = 'search_lines', content_rowid = 'id');
      CREATE TRIGGER search_lines_insert AFTER INSERT ON search_lines BEGIN
        INSERT INTO search_text (rowid, text) VALUES (new.id, new.text);
      END;
      CREATE TABLE search_cursor (session_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, carry TEXT NOT NULL DEFAULT '');
      INSERT INTO search_lines (session_id, seq, ts, text) VALUES ('a', 1, 1001, 'Ünïcode Ελλάδα'), ('a', 2, 1002, 'plain line');
      INSERT INTO search_cursor VALUES ('a', 2, '');
    `);
    old.close();

    const reopened = open();
    // Its tokenizer kept the Greek accent: only a rebuilt index finds this.
    expect(find(reopened, "unicode ελλαδα")).toEqual(["Ünïcode Ελλάδα"]);
    expect(find(reopened, "line")).toEqual(["plain line"]);
    expect(reopened.readEvents("a", 0).map((e) => e.seq)).toEqual([1, 2]);
    expect(reopened.check({ full: true })).toEqual([]);
  });

  it("replaces a damaged index file and rebuilds it from the events", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.appendBatch([output(1, "survives the damage\r\n")]);
    expect(find(s, "survives")).toHaveLength(1);
    s.close();
    store = undefined;
    for (const suffix of ["-wal", "-shm"]) rmSync(searchFilePath(path) + suffix, { force: true });
    writeFileSync(searchFilePath(path), Buffer.alloc(8192, 0xa5));

    const reopened = open();
    expect(reopened.check({ full: true })).toEqual([]);
    expect(find(reopened, "survives")).toEqual(["survives the damage"]);
  });

  it("indexes a session again when the log is behind its index (a backup put back)", () => {
    const s = open();
    s.insertSession(sessionRecord({ id: "a" }));
    s.appendBatch([output(1, "kept line\r\n"), output(2, "lost line\r\n")]);
    expect(find(s, "line")).toEqual(["kept line", "lost line"]);
    s.close();
    store = undefined;
    // The log as an older backup had it: event 2 never stored.
    const db = new Database(path);
    db.exec("DELETE FROM events WHERE seq = 2; UPDATE sessions SET last_seq = 1");
    db.close();

    const reopened = open();
    expect(find(reopened, "line")).toEqual(["kept line"]);
    reopened.appendBatch([output(2, "a new second line\r\n")]);
    expect(find(reopened, "second")).toEqual(["a new second line"]);
  });

  it("keeps an in-memory store's index in memory", () => {
    const s = SqliteStore.open(":memory:");
    try {
      s.insertSession(sessionRecord({ id: "a" }));
      s.appendBatch([output(1, "only in memory\r\n")]);
      expect(find(s, "memory")).toEqual(["only in memory"]);
      expect(existsSync(join(process.cwd(), ":memory:-search.db"))).toBe(false);
    } finally {
      s.close();
    }
  });
});
