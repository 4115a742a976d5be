import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import { STORE_ENGINES, useStoreEngine } from "../../test/storeEngines.js";
import type { SessionEvent } from "../protocol/events.js";
import type { SessionRecord, Store } from "./Store.js";
import { searchWords } from "./searchText.js";

function session(id: string): SessionRecord {
  return sessionRecord({ id, name: `name-${id}` });
}

const enc = new TextEncoder();
function output(sessionId: string, seq: number, text: string): SessionEvent {
  return { session: sessionId, seq, ts: 5000 + seq, type: "output", data: enc.encode(text) };
}

describe.each(STORE_ENGINES)("search index on %s", (name) => {
  const engine = useStoreEngine(name);
  let store: Store;

  beforeEach(() => {
    store = engine.open();
  });

  afterEach(() => {
    store.close();
  });

  function find(pattern: string, extra: { session?: string; since?: number } = {}) {
    store.search.catchUp(1_000_000);
    return store.search.search({ words: searchWords(pattern), limit: 100, ...extra });
  }

  it("finds plain-text lines without escape sequences, with session, seq and time", () => {
    store.insertSession(session("a"));
    store.appendBatch([
      output("a", 1, "\x1b[1;31mbuild\x1b[0m failed: \x1b]0;title\x07missing_module foo\r\n"),
      output("a", 2, "ok\r\n"),
    ]);
    expect(find("missing module")).toEqual([
      { session: "a", seq: 1, ts: 5001, line: "build failed: missing_module foo" },
    ]);
    expect(find("MISS")).toHaveLength(1);
    expect(find("nothing")).toEqual([]);
  });

  it("finds words whatever their accents and case, either way round, and shows the line as stored", () => {
    store.insertSession(session("a"));
    store.appendBatch([
      output("a", 1, "\x1b[1mÜnïcode\x1b[0m café\r\n"),
      // Decomposed: e and U+0301, as some tools write it.
      output("a", 2, "re\u0301sume\u0301 sent\r\n"),
      output("a", 3, "plain CAFE resume\r\n"),
      output("a", 4, "İstanbul, ŒUVRE, Ελλάδα\r\n"),
    ]);
    expect(find("unicode").map((h) => h.line)).toEqual(["Ünïcode café"]);
    expect(find("ÜNÏCODE").map((h) => h.line)).toEqual(["Ünïcode café"]);
    expect(find("cafe").map((h) => h.seq)).toEqual([1, 3]);
    expect(find("café").map((h) => h.seq)).toEqual([1, 3]);
    expect(find("résumé sent").map((h) => h.line)).toEqual(["re\u0301sume\u0301 sent"]);
    expect(find("resu").map((h) => h.seq)).toEqual([2, 3]);
    expect(find("istanbul").map((h) => h.seq)).toEqual([4]);
    expect(find("œuvre ελλαδα").map((h) => h.seq)).toEqual([4]);
    // Only accents go: a different letter is not an accent.
    expect(find("unicodes")).toEqual([]);
  });

  it("keeps marks that make another letter, and letters without a decomposition, apart", () => {
    store.insertSession(session("a"));
    store.appendBatch([output("a", 1, "हिंदी ठीक है\r\n"), output("a", 2, "が ø\r\n")]);
    expect(find("हिंदी").map((h) => h.seq)).toEqual([1]);
    expect(find("हं")).toEqual([]);
    expect(find("か")).toEqual([]);
    expect(find("が").map((h) => h.seq)).toEqual([2]);
    expect(find("o")).toEqual([]);
  });

  it("joins a line split across output events and keeps what a carriage return left", () => {
    store.insertSession(session("a"));
    store.appendBatch([output("a", 1, "hello wo"), output("a", 2, "rld\r\nprogress 10%\rprogress 100%\r\n")]);
    expect(find("world").map((h) => [h.seq, h.line])).toEqual([[2, "hello world"]]);
    expect(find("progress").map((h) => h.line)).toEqual(["progress 100%"]);
  });

  it("finds words a full-screen app placed with cursor moves, however the events cut its output", () => {
    store.insertSession(session("a"));
    // Recorded in a PTY: vim 9's last rows and ruler (absolute moves, cursor-forward), then
    // top 4's header (ncurses' `ESC ( B` with every colour change, `ESC[K` at the row's end).
    const screen =
      "\x1b[1;1H299\r\n300\x1b[24;63H300,1\x1b[9CBot\x1b[23;1H\x1b[?25h\x1b[H\x1b[2J\x1b(B\x1b[mTasks:\x1b(B\x1b[m" +
      "\x1b[39;49m\x1b[1m 130 \x1b(B\x1b[m\x1b[39;49mtotal,\x1b(B\x1b[m\x1b[39;49m\x1b[1m   7 \x1b(B\x1b[m\x1b[39;49mrunning," +
      "\x1b(B\x1b[m\x1b[39;49m\x1b[K\r\n";
    // Cut inside `ESC[9C` and inside `ESC[23;1H`.
    store.appendBatch([
      output("a", 1, screen.slice(0, 30)),
      output("a", 2, screen.slice(30, 37)),
      output("a", 3, screen.slice(37)),
    ]);
    expect(find("300 bot").map((h) => h.line)).toEqual(["300,1         Bot"]);
    expect(find("running").map((h) => h.line)).toEqual(["Tasks: 130 total,   7 running,"]);
    expect(find("299").map((h) => h.line)).toEqual(["299"]);
  });

  it("filters by session and time, and returns the newest matches oldest first", () => {
    store.insertSession(session("a"));
    store.insertSession(session("b"));
    store.appendBatch([
      output("a", 1, "needle one\n"),
      output("b", 1, "needle two\n"),
      output("a", 2, "needle three\n"),
    ]);
    expect(find("needle").map((h) => h.line)).toEqual(["needle one", "needle two", "needle three"]);
    expect(find("needle", { session: "b" }).map((h) => h.line)).toEqual(["needle two"]);
    expect(find("needle", { since: 5002 }).map((h) => h.line)).toEqual(["needle three"]);
    store.search.catchUp(1000);
    expect(store.search.search({ words: ["needle"], limit: 2 }).map((h) => h.line)).toEqual([
      "needle two",
      "needle three",
    ]);
  });

  it("drops index rows with retention and with the session", () => {
    store.insertSession(session("a"));
    store.appendBatch([output("a", 1, "old needle\n"), output("a", 2, "new needle\n")]);
    expect(find("needle")).toHaveLength(2);
    store.compactThrough("a", 1);
    expect(find("needle").map((h) => h.line)).toEqual(["new needle"]);
    store.deleteSession("a");
    expect(find("needle")).toEqual([]);
  });

  it("indexes what was stored before a restart when it reopens", () => {
    store.insertSession(session("a"));
    store.appendBatch([output("a", 1, "before restart\n")]);
    store.close();
    store = engine.open();
    expect(find("restart").map((h) => h.line)).toEqual(["before restart"]);
    store.appendBatch([output("a", 2, "after restart\n")]);
    expect(find("restart").map((h) => h.line)).toEqual(["before restart", "after restart"]);
  });
});
