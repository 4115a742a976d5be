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

  it("joins a line split across output events and keeps what a carriage return left", () => {
    store.insertSession(session("a"));
    store.appendBatch([output("a", 1, "hello wo"), output("a", 2, "rld\r\nprogress 10%\rprogress 100%\r\n")]);
    expect(find("world").map((h) => [h.seq, h.line])).toEqual([[2, "hello world"]]);
    expect(find("progress").map((h) => h.line)).toEqual(["progress 100%"]);
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
