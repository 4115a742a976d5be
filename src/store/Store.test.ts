import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import { STORE_ENGINES, useStoreEngine } from "../../test/storeEngines.js";
import { DispatchError } from "../core/errors.js";
import type { SessionEvent } from "../protocol/events.js";
import type { SessionRecord, Store } from "./Store.js";

function session(id: string, name = id, overrides: Partial<SessionRecord> = {}): SessionRecord {
  return sessionRecord({
    id,
    name,
    command: ["bash", "-l"],
    pid: 1234,
    env: { TERM: "xterm-256color" },
    ...overrides,
  });
}

const enc = new TextEncoder();

function output(sessionId: string, seq: number, text: string, ts = 2000 + seq): SessionEvent {
  return { session: sessionId, seq, ts, type: "output", data: enc.encode(text) };
}

function resize(sessionId: string, seq: number): SessionEvent {
  return { session: sessionId, seq, ts: 2000 + seq, type: "resize", data: { cols: 100, rows: 30 } };
}

describe.each(STORE_ENGINES)("%s store", (name) => {
  const engine = useStoreEngine(name);
  let store: Store;

  beforeEach(() => {
    store = engine.open();
  });

  afterEach(() => {
    store.close();
  });

  describe("lifecycle", () => {
    it("close is idempotent", () => {
      store.close();
      expect(() => store.close()).not.toThrow();
    });

    it("reports its size", () => {
      expect(store.sizeBytes()).toBeGreaterThan(0);
    });
  });

  describe("sessions", () => {
    it("round-trips every field", () => {
      const rec = session("s1", "alpha", {
        exitCode: 3,
        reason: "host lost",
        foreground: "vim x",
        meta: { adopted: true },
        project: "shop",
      });
      store.insertSession(rec);
      expect(store.getSession("s1")).toEqual(rec);
      expect(store.getSessionByName("alpha")).toEqual(rec);
      expect(store.getSession("nope")).toBeUndefined();
    });

    it("lists by creation time", () => {
      store.insertSession(session("b", "b", { createdAt: 2 }));
      store.insertSession(session("a", "a", { createdAt: 1 }));
      store.insertSession(session("c", "c", { createdAt: 3 }));
      expect(store.listSessions().map((s) => s.id)).toEqual(["a", "b", "c"]);
    });

    it("rejects a taken name with conflict", () => {
      store.insertSession(session("s1", "alpha"));
      const attempt = () => store.insertSession(session("s2", "alpha"));
      expect(attempt).toThrow(DispatchError);
      expect(attempt).toThrow(expect.objectContaining({ code: "conflict" }));
    });

    it("updates only the given fields", () => {
      store.insertSession(session("s1", "alpha"));
      store.updateSession("s1", { status: "exited", exitCode: 0, foreground: null, meta: { x: 1 } });
      const got = store.getSession("s1");
      expect(got).toEqual({ ...session("s1", "alpha"), status: "exited", exitCode: 0, meta: { x: 1 } });
    });

    it("renames, and refuses renaming onto a taken name", () => {
      store.insertSession(session("s1", "alpha"));
      store.insertSession(session("s2", "beta"));
      store.updateSession("s1", { name: "gamma" });
      expect(store.getSessionByName("gamma")?.id).toBe("s1");
      expect(() => store.updateSession("s2", { name: "gamma" })).toThrow(
        expect.objectContaining({ code: "conflict" }),
      );
      expect(store.getSession("s2")?.name).toBe("beta");
    });

    it("throws not_found when updating an unknown session", () => {
      expect(() => store.updateSession("nope", { status: "exited" })).toThrow(
        expect.objectContaining({ code: "not_found" }),
      );
    });

    it("deletes a session with its events and snapshots", () => {
      store.insertSession(session("s1"));
      store.insertSession(session("s2"));
      store.appendBatch([output("s1", 1, "a"), output("s1", 2, "b"), output("s2", 1, "c")]);
      store.putSnapshot({ session: "s1", seq: 2, ts: 1, cols: 80, rows: 24, data: "screen" });
      store.deleteSession("s1");
      expect(store.getSession("s1")).toBeUndefined();
      expect(store.countEvents("s1")).toBe(0);
      expect(store.latestSnapshot("s1")).toBeUndefined();
      expect(store.lastSeq("s1")).toBe(0);
      expect(store.countEvents("s2")).toBe(1);
      // A new session may reuse the id, and starts over from seq 1.
      store.insertSession(session("s1"));
      expect(store.appendBatch([output("s1", 1, "again")])).toHaveLength(1);
    });
  });

  describe("appendBatch", () => {
    beforeEach(() => {
      store.insertSession(session("s1"));
      store.insertSession(session("s2"));
    });

    it("stores output as bytes and other events as JSON, and reads them back", () => {
      const bytes = new Uint8Array([0, 255, 27, 91, 109]);
      const events: SessionEvent[] = [
        { session: "s1", seq: 1, ts: 1.5, type: "output", data: bytes },
        resize("s1", 2),
        { session: "s1", seq: 3, ts: 3, type: "exit", data: { code: null, signal: 9 } },
      ];
      expect(store.appendBatch(events)).toEqual(events);
      const read = store.readEvents("s1", 0);
      expect(read).toHaveLength(3);
      expect(Array.from(read[0]?.data as Uint8Array)).toEqual(Array.from(bytes));
      expect(read[0]).toMatchObject({ session: "s1", seq: 1, ts: 1.5, type: "output" });
      expect(read[1]).toEqual(events[1]);
      expect(read[2]).toEqual(events[2]);
    });

    it("skips duplicates silently, so replays are idempotent", () => {
      store.appendBatch([output("s1", 1, "a"), output("s1", 2, "b")]);
      const again = store.appendBatch([output("s1", 1, "a"), output("s1", 2, "b"), output("s1", 3, "c")]);
      expect(again.map((e) => e.seq)).toEqual([3]);
      expect(store.lastRejected).toEqual([]);
      expect(store.countEvents("s1")).toBe(3);
      expect(store.getSession("s1")?.bytes).toBe(3);
    });

    it("rejects a seq jump and keeps going with the next contiguous event", () => {
      const jump = output("s1", 5, "x");
      const appended = store.appendBatch([output("s1", 1, "a"), jump, output("s1", 2, "b")]);
      expect(appended.map((e) => e.seq)).toEqual([1, 2]);
      expect(store.lastRejected).toEqual([jump]);
      expect(store.lastSeq("s1")).toBe(2);
    });

    it("accepts a gap event that starts right after the last seq", () => {
      store.appendBatch([output("s1", 1, "a")]);
      const gap: SessionEvent = {
        session: "s1",
        seq: 9,
        ts: 5,
        type: "gap",
        data: { fromSeq: 2, bytes: 4096 },
      };
      const badGap: SessionEvent = {
        session: "s1",
        seq: 20,
        ts: 5,
        type: "gap",
        data: { fromSeq: 12, bytes: 1 },
      };
      const appended = store.appendBatch([gap, badGap, output("s1", 10, "b")]);
      expect(appended.map((e) => e.seq)).toEqual([9, 10]);
      expect(store.lastRejected).toEqual([badGap]);
      expect(store.readEvents("s1", 1).map((e) => e.type)).toEqual(["gap", "output"]);
      expect(store.lastSeq("s1")).toBe(10);
    });

    it("skips events for unknown sessions", () => {
      const stray = output("ghost", 1, "boo");
      expect(store.appendBatch([stray, output("s1", 1, "a")]).map((e) => e.session)).toEqual(["s1"]);
      expect(store.lastRejected).toEqual([stray]);
    });

    it("keeps sessions independent and updates totals in the same transaction", () => {
      store.appendBatch([
        output("s1", 1, "abc", 5000),
        output("s2", 1, "de", 6000),
        resize("s1", 2),
        output("s1", 3, "fghij", 5500),
      ]);
      expect(store.getSession("s1")).toMatchObject({ lastSeq: 3, bytes: 8, lastActivityAt: 5500 });
      expect(store.getSession("s2")).toMatchObject({ lastSeq: 1, bytes: 2, lastActivityAt: 6000 });
      // Activity only moves forward, and a batch without output leaves it alone.
      store.appendBatch([output("s1", 4, "k", 10), resize("s2", 2)]);
      expect(store.getSession("s1")).toMatchObject({ lastSeq: 4, bytes: 9, lastActivityAt: 5500 });
      expect(store.getSession("s2")).toMatchObject({ lastSeq: 2, bytes: 2, lastActivityAt: 6000 });
    });

    it("lands 10k events from one batch, readable in order", () => {
      const events = Array.from({ length: 10_000 }, (_, i) =>
        i % 100 === 99 ? resize("s1", i + 1) : output("s1", i + 1, `line ${i}\r\n`),
      );
      expect(store.appendBatch(events)).toHaveLength(10_000);
      const read = store.readEvents("s1", 0);
      expect(read.map((e) => e.seq)).toEqual(events.map((e) => e.seq));
      expect(store.countEvents("s1")).toBe(10_000);
      const expectedBytes = events.reduce((n, e) => n + (e.type === "output" ? e.data.byteLength : 0), 0);
      expect(store.getSession("s1")).toMatchObject({ lastSeq: 10_000, bytes: expectedBytes });
    });

    it("leaves nothing half-written when the transaction fails", () => {
      store.appendBatch([output("s1", 1, "a")]);
      // An event whose data cannot be encoded makes the insert throw mid-batch.
      const poison = {
        session: "s1",
        seq: 3,
        ts: 1,
        type: "resize",
        data: { n: 1n },
      } as unknown as SessionEvent;
      expect(() => store.appendBatch([output("s1", 2, "bb"), output("s2", 1, "c"), poison])).toThrow();
      expect(store.countEvents("s1")).toBe(1);
      expect(store.countEvents("s2")).toBe(0);
      expect(store.getSession("s1")).toMatchObject({ lastSeq: 1, bytes: 1 });
      expect(store.getSession("s2")).toMatchObject({ lastSeq: 0, bytes: 0 });
      // The seq cache was not advanced by the rolled-back batch: seq 2 is still next.
      expect(store.lastSeq("s1")).toBe(1);
      expect(store.appendBatch([output("s1", 2, "bb")])).toHaveLength(1);
      expect(store.getSession("s1")).toMatchObject({ lastSeq: 2, bytes: 3 });
    });

    it("keeps last seq across reopen", () => {
      store.appendBatch([output("s1", 1, "a"), output("s1", 2, "b")]);
      store.close();
      store = engine.open();
      expect(store.lastSeq("s1")).toBe(2);
      expect(store.appendBatch([output("s1", 2, "b"), output("s1", 3, "c")]).map((e) => e.seq)).toEqual([3]);
    });

    // Speed is measured by `npm run bench`; this checks a large batched load lands whole.
    it("appends 200k small events in batches, contiguous and countable", () => {
      const n = 200_000;
      const data = enc.encode("x");
      const events: SessionEvent[] = Array.from({ length: n }, (_, i) => ({
        session: "s2",
        seq: i + 1,
        ts: i,
        type: "output",
        data,
      }));
      for (let i = 0; i < n; i += 10_000) store.appendBatch(events.slice(i, i + 10_000));
      expect(store.lastSeq("s2")).toBe(n);
      expect(store.countEvents("s2")).toBe(n);
      expect(store.getSession("s2")?.bytes).toBe(n);
    });
  });

  describe("readEvents", () => {
    beforeEach(() => {
      store.insertSession(session("s1"));
      store.appendBatch(Array.from({ length: 20 }, (_, i) => output("s1", i + 1, "x")));
    });

    it("returns exactly the events after N", () => {
      expect(store.readEvents("s1", 7).map((e) => e.seq)).toEqual(
        Array.from({ length: 13 }, (_, i) => i + 8),
      );
      expect(store.readEvents("s1", 20)).toEqual([]);
    });

    it("honours the limit", () => {
      expect(store.readEvents("s1", 5, 3).map((e) => e.seq)).toEqual([6, 7, 8]);
    });
  });

  describe("snapshots", () => {
    it("returns the latest at or before a seq", () => {
      store.insertSession(session("s1"));
      for (const seq of [10, 20, 30]) {
        store.putSnapshot({ session: "s1", seq, ts: seq, cols: 80, rows: 24, data: `screen ${seq}` });
      }
      expect(store.latestSnapshot("s1")?.seq).toBe(30);
      expect(store.latestSnapshot("s1", 25)).toEqual({
        session: "s1",
        seq: 20,
        ts: 20,
        cols: 80,
        rows: 24,
        data: "screen 20",
        bytes: 0,
      });
      expect(store.latestSnapshot("s1", 5)).toBeUndefined();
    });

    it("compacts history behind a snapshot, never from the middle", () => {
      store.insertSession(session("s1"));
      store.appendBatch(Array.from({ length: 30 }, (_, i) => output("s1", i + 1, "0123456789")));
      store.putSnapshot({ session: "s1", seq: 10, ts: 1, cols: 80, rows: 24, data: "a", bytes: 100 });
      store.putSnapshot({ session: "s1", seq: 20, ts: 2, cols: 80, rows: 24, data: "b", bytes: 200 });
      expect(store.snapshotPositions("s1")).toEqual([
        { seq: 10, bytes: 100 },
        { seq: 20, bytes: 200 },
      ]);
      store.compactThrough("s1", 20);
      expect(store.firstSeq("s1")).toBe(21);
      expect(store.readEvents("s1", 0).map((e) => e.seq)).toEqual(
        Array.from({ length: 10 }, (_, i) => 21 + i),
      );
      expect(store.snapshotPositions("s1")).toEqual([{ seq: 20, bytes: 200 }]);
      expect(store.storedOutputBytes("s1")).toBe(100);
      expect(store.lastSeq("s1")).toBe(30);
    });
  });

  describe("tokens and audit", () => {
    it("finds live tokens by hash and revokes them", () => {
      const token = { id: "t1", kind: "web", name: "browser", hash: "h1", scope: "owner", createdAt: 1 };
      store.insertToken(token);
      store.insertToken({ ...token, id: "t2", hash: "h2" });
      expect(store.findTokenByHash("h1")).toEqual({
        ...token,
        revokedAt: null,
        expiresAt: null,
        label: null,
      });
      expect(() => store.insertToken({ ...token, id: "t3" })).toThrow(
        expect.objectContaining({ code: "conflict" }),
      );
      expect(store.revokeTokenByHash("h2")).toBe(true);
      expect(store.findTokenByHash("h2")).toBeUndefined();
      expect(store.revokeTokens("web", "browser")).toBe(1);
      expect(store.findTokenByHash("h1")).toBeUndefined();
    });

    it("keeps a share link's label with its token, and lists it", () => {
      const link = { kind: "share", name: "s", scope: "writer", createdAt: 1 };
      store.insertToken({ ...link, id: "l1", hash: "hl1", label: "ada" });
      store.insertToken({ ...link, id: "l2", hash: "hl2" });
      expect(store.findTokenByHash("hl1")?.label).toBe("ada");
      expect(store.findTokenByHash("hl2")?.label).toBeNull();
      expect(store.people.shares().map((s) => [s.id, s.label])).toEqual([
        ["l1", "ada"],
        ["l2", null],
      ]);
      expect(store.people.liveShare("l1")?.label).toBe("ada");
    });

    it("stops finding a token once it expires", () => {
      store.insertToken({
        id: "e1",
        kind: "share",
        name: "s",
        hash: "he",
        scope: "viewer",
        createdAt: 1,
        expiresAt: 1000,
      });
      expect(store.findTokenByHash("he", 999)?.id).toBe("e1");
      expect(store.findTokenByHash("he", 1000)).toBeUndefined();
    });

    it("finds the live tokens whose hash begins with a prefix (how a key proof names its token)", () => {
      const token = { kind: "user", name: "u", scope: "", createdAt: 1 };
      store.insertToken({ ...token, id: "p1", hash: "0af3" + "0".repeat(60) });
      store.insertToken({ ...token, id: "p2", hash: "0af3" + "f".repeat(60) });
      store.insertToken({ ...token, id: "p3", hash: "0af4" + "0".repeat(60) });
      store.insertToken({ ...token, id: "p4", hash: "0af2" + "f".repeat(60) });
      store.insertToken({ ...token, id: "p5", hash: "0af3" + "1".repeat(60), expiresAt: 1000 });
      const ids = (now?: number) =>
        store
          .findTokensByHashPrefix("0af3", now)
          .map((t) => t.id)
          .sort();
      expect(ids(999)).toEqual(["p1", "p2", "p5"]);
      expect(ids()).toEqual(["p1", "p2"]);
      expect(store.revokeTokenByHash("0af3" + "f".repeat(60))).toBe(true);
      expect(ids()).toEqual(["p1"]);
      expect(store.findTokensByHashPrefix("0af5")).toEqual([]);
    });

    it("reads the audit trail back by session and time, oldest first", () => {
      store.audit("pat", "attach", {}, { address: "10.0.0.1", session: "s1" });
      store.audit("pat", "attach", {}, { address: "10.0.0.1", session: "s2" });
      store.audit("ann", "kill", { signal: "SIGHUP" }, { address: "10.0.0.2", session: "s1" });
      const s1 = store.people.audit({ session: "s1", limit: 10 });
      expect(s1.map((e) => `${e.actor} ${e.action} ${e.address}`)).toEqual([
        "pat attach 10.0.0.1",
        "ann kill 10.0.0.2",
      ]);
      expect(s1[1]?.detail).toEqual({ signal: "SIGHUP" });
      expect(store.people.audit({ since: Date.now() + 60_000, limit: 10 })).toEqual([]);
    });

    it("records audit entries", () => {
      store.audit("client", "rename", { from: "a", to: "b" });
      store.close();
      store = engine.open();
      expect(store.people.audit({ limit: 10 })).toEqual([
        expect.objectContaining({ actor: "client", action: "rename", detail: { from: "a", to: "b" } }),
      ]);
    });
  });
});
