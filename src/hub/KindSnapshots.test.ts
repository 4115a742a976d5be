/**
 * Kind snapshots whose fold is async (a kind whose implementation loads on first use, the
 * editor's Yjs): the snapshot holds exactly the events up to when it was due, whatever arrives
 * while the fold waits, and a fold that fails is logged while the hub goes on.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import { registerKind } from "../kinds/registry.js";
import type { SessionEvent } from "../protocol/events.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { HubEvents } from "./HubEvents.js";
import { KindSnapshots } from "./KindSnapshots.js";
import { SessionDirectory } from "./SessionDirectory.js";
import { decodeScreen } from "./screen/snapshotData.js";

/** What the test kind's fold does next: resolves its state when the test says so, or fails. */
let nextFold: (events: Iterable<SessionEvent>) => Promise<string>;

registerKind({
  name: "lazy-fold-test",
  label: "test kind with an async snapshot fold",
  snapshot: { everyEvents: 3, fold: (_previous, events) => nextFold(events) },
});

describe("KindSnapshots with an async fold", () => {
  let dir: string;
  let store: SqliteStore;
  let bus: HubEvents;
  let warnings: string[];
  let seq: number;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-kind-snapshots-"));
    store = SqliteStore.open(join(dir, "db"));
    store.insertSession(sessionRecord({ id: "s1", kind: "lazy-fold-test" }));
    bus = new HubEvents();
    warnings = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        warnings.push(String(chunk));
        done();
      },
    });
    const directory = new SessionDirectory(store, () => true);
    new KindSnapshots({ store, directory, bus, logger: pino({ level: "warn" }, sink) });
    seq = 0;
  });

  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  /** Stores `count` events of the session and tells the bus, as the hub's intake does. */
  function store3(count = 3): void {
    const events: SessionEvent[] = Array.from({ length: count }, () => ({
      session: "s1",
      seq: ++seq,
      ts: 1000 + seq,
      type: "note",
      data: { n: seq },
    }));
    store.appendBatch(events);
    bus.emit(
      "stored",
      "s1",
      events.map((event) => ({ event })),
    );
  }

  it("stores the state of the events up to when the snapshot was due, not those stored while it loaded", async () => {
    let release: () => void = () => {};
    const loaded = new Promise<void>((resolve) => {
      release = resolve;
    });
    let folded: string | undefined;
    nextFold = async (events) => {
      await loaded;
      folded = [...events].map((event) => event.seq).join(",");
      return folded;
    };
    store3();
    store.appendBatch([{ session: "s1", seq: ++seq, ts: 2000, type: "note", data: {} }]);
    release();
    await expect.poll(() => store.latestSnapshot("s1")?.seq).toBe(3);
    expect(folded).toBe("1,2,3");
    expect(decodeScreen(store.latestSnapshot("s1")?.data ?? "")).toBe("1,2,3");
  });

  it("logs a fold that fails, and takes the next snapshot when it is due", async () => {
    nextFold = () => Promise.reject(new Error("could not load the test kind: gone"));
    store3();
    await expect.poll(() => warnings.join("")).toMatch(/kind snapshot failed/);
    expect(warnings.join("")).toMatch(/could not load the test kind: gone/);
    expect(store.latestSnapshot("s1")).toBeUndefined();
    nextFold = async (events) => [...events].map((event) => event.seq).join(",");
    store3();
    await expect.poll(() => store.latestSnapshot("s1")?.seq).toBe(6);
    expect(decodeScreen(store.latestSnapshot("s1")?.data ?? "")).toBe("1,2,3,4,5,6");
  });
});
