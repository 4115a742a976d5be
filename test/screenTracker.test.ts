/**
 * How the hub starts keeping a terminal session's screen (`src/hub/screen/ScreenTracker.ts`):
 * a session whose whole log it has been handed gets its screen built from that, at once; one
 * first seen part-way through its log (after a hub restart) is built from the store. Real
 * SQLite store, real screen worker thread (the built modules, as the hub runs them).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import pino from "pino";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import type { StoredBatchEntry } from "../src/hub/StoreWriter.js";
import type * as Tracker from "../src/hub/screen/ScreenTracker.js";
import type { SessionEvent } from "../src/protocol/events.js";
import { SqliteStore } from "../src/store/sqlite/SqliteStore.js";
import { REPO_ROOT } from "./cliProcess.js";
import { sessionRecord } from "./sessionRecord.js";

/** Built: the screen worker is a file beside the module, which only the build emits. */
const { ScreenTracker } = (await import(
  pathToFileURL(join(REPO_ROOT, "dist/src/hub/screen/ScreenTracker.js")).href
)) as typeof Tracker;

const dir = mkdtempSync(join(tmpdir(), "dispatch-screen-tracker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const trackers: Tracker.ScreenTracker[] = [];
const stores: SqliteStore[] = [];
afterEach(async () => {
  for (const tracker of trackers.splice(0)) await tracker.dispose();
  for (const store of stores.splice(0)) store.close();
});

const SIZE = { cols: 40, rows: 5 };

/** A store with one terminal session, and a tracker over it that counts reads of the log. */
function setUp(name: string) {
  const store = SqliteStore.open(join(dir, `${name}.db`));
  stores.push(store);
  store.insertSession(sessionRecord({ id: "s1", ...SIZE }));
  let reads = 0;
  const readEvents = store.readEvents.bind(store);
  store.readEvents = (session, afterSeq, limit) => {
    reads++;
    return readEvents(session, afterSeq, limit);
  };
  const tracker = new ScreenTracker({ store, logger: pino({ level: "silent" }) });
  trackers.push(tracker);
  let seq = 0;
  /** Stores the events, as the hub does before anyone hears of them; returns them as a batch. */
  const stored = (...events: Omit<SessionEvent, "session" | "seq" | "ts">[]): StoredBatchEntry[] => {
    const batch = events.map((e) => ({ ...e, session: "s1", seq: ++seq, ts: Date.now() }) as SessionEvent);
    store.appendBatch(batch);
    return batch.map((event) => ({ event }));
  };
  const output = (text: string) => ({ type: "output", data: new TextEncoder().encode(text) });
  return { store, tracker, stored, output, reads: () => reads };
}

describe("ScreenTracker", () => {
  it("builds a new session's screen from the output it is handed, without reading the log back", async () => {
    const { tracker, stored, output, reads } = setUp("fresh");
    tracker.track("s1", SIZE, stored({ type: "start", data: { command: ["sh"] } }));
    tracker.track("s1", SIZE, stored(output("first line\r\n"), output("second line\r\n")));
    tracker.track("s1", SIZE, stored(output("$ ")));
    const screen = await tracker.currentScreen("s1", SIZE);
    expect(screen).toContain("first line");
    expect(screen).toContain("second line");
    expect(screen).toContain("$ ");
    expect(reads()).toBe(0);
  });

  it("builds the screen of a session first seen part-way through its log from the store", async () => {
    const { tracker, stored, output, reads } = setUp("midway");
    // Stored by an earlier hub: this tracker never saw these.
    stored({ type: "start", data: { command: ["sh"] } }, output("printed before the restart\r\n"));
    tracker.track("s1", SIZE, stored(output("printed after it\r\n")));
    const screen = await tracker.currentScreen("s1", SIZE);
    expect(screen).toContain("printed before the restart");
    expect(screen).toContain("printed after it");
    expect(reads()).toBeGreaterThan(0);
  });

  it("stores no streaming snapshot in a new session's first seconds, however much it prints", async () => {
    const { store, tracker, stored, output } = setUp("first-seconds");
    tracker.track("s1", SIZE, stored({ type: "start", data: { command: ["sh"] } }));
    // 2 MiB in 64 KiB events, twice the bytes between snapshots (and within the feed budget).
    const line = `${"x".repeat(126)}\r\n`;
    for (let i = 0; i < 32; i++) tracker.track("s1", SIZE, stored(output(line.repeat(512))));
    tracker.track("s1", SIZE, stored(output("the last line")));
    // Answered after any snapshot asked for before it (the worker answers in order).
    expect(await tracker.currentScreen("s1", SIZE)).toContain("the last line");
    // Serializing the whole scrollback a moment into a flood: left to the streaming minimum,
    // the idle snapshot or the exit.
    expect(store.latestSnapshot("s1")).toBeUndefined();
  });

  it("stores an exit after a pause's snapshot as the same screen, without serializing it again", async () => {
    const { store, tracker, stored, output } = setUp("unchanged");
    const worker = (tracker as unknown as { worker: { request: (session: string) => Promise<unknown> } })
      .worker;
    const request = worker.request.bind(worker);
    let serialized = 0;
    worker.request = (session) => {
      serialized++;
      return request(session);
    };
    tracker.track("s1", SIZE, stored({ type: "start", data: { command: ["sh"] } }));
    tracker.track("s1", SIZE, stored(output("done\r\n$ ")));
    await tracker.snapshot("s1");
    const paused = store.latestSnapshot("s1");
    expect(serialized).toBe(1);
    // The program exits: nothing drawn since the pause, the exit's snapshot is the same screen.
    const exit = stored({ type: "exit", data: { code: 0 } });
    tracker.track("s1", SIZE, exit);
    await tracker.snapshot("s1");
    const atExit = store.latestSnapshot("s1");
    expect(atExit?.seq).toBe(exit[0]?.event.seq);
    expect(atExit?.data).toBe(paused?.data);
    expect(serialized).toBe(1);
    // Output after it is serialized afresh.
    tracker.track("s1", SIZE, stored(output("revived\r\n")));
    await tracker.snapshot("s1");
    expect(serialized).toBe(2);
    expect(await tracker.currentScreen("s1", SIZE)).toContain("revived");
    expect(store.latestSnapshot("s1")?.data).not.toBe(paused?.data);
  });
});
