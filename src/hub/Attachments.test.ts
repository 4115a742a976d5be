/**
 * Clients whose catch-up read failed are read for again when the hub says storage healed
 * (`storage-healed`), not at their read's next pause; a read that fails again ends that round.
 * A real SQLite store whose event reads fail, as a stopped PostgreSQL's do, while `failing`.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import type { SessionEvent } from "../protocol/events.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { injectedFault } from "../store/storageErrors.js";
import { Attachments } from "./Attachments.js";
import { HubEvents } from "./HubEvents.js";
import { SessionDirectory } from "./SessionDirectory.js";
import type { SubscriberChannel } from "./Subscription.js";
import type { ScreenTracker } from "./screen/ScreenTracker.js";

let dir: string;
let store: SqliteStore;
let bus: HubEvents;
let attachments: Attachments;
/** While true, every event read fails as a full disk would. */
let failing: boolean;
let reads: number;

const enc = new TextEncoder();
const output = (session: string, seq: number): SessionEvent => ({
  session,
  seq,
  ts: 1000 + seq,
  type: "output",
  data: enc.encode(`${session} ${seq}\n`),
});

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), "dispatch-attachments-"));
  store = SqliteStore.open(join(dir, "db"));
  for (const id of ["s1", "s2"]) {
    store.insertSession(sessionRecord({ id }));
    store.appendBatch([output(id, 1), output(id, 2)]);
  }
  const faultFile = join(dir, "fail");
  writeFileSync(faultFile, "");
  const fault = injectedFault({ DISPATCH_TEST_FAULT_FILE: faultFile }) as () => void;
  const readEvents = store.readEvents.bind(store);
  failing = true;
  reads = 0;
  store.readEvents = (...args) => {
    reads++;
    if (failing) fault();
    return readEvents(...args);
  };
  bus = new HubEvents();
  // Retries ten minutes apart: what a client gets here comes from `storage-healed`.
  process.env.DISPATCH_TEST_CATCHUP_RETRY_MS = "600000";
  attachments = new Attachments({
    store,
    directory: new SessionDirectory(store, () => true),
    // Never asked: clients here read events only (no snapshot), and none falls behind.
    screens: {} as ScreenTracker,
    bus,
  });
  delete process.env.DISPATCH_TEST_CATCHUP_RETRY_MS;
});

afterEach(() => {
  for (const id of attachments.sessions()) bus.emit("removed", id);
  store.close();
  rmSync(dir, { recursive: true, force: true });
});

/** A client attached to `session` from its start, whose first read failed; the seqs it was sent. */
function attachedWithFailedRead(session: string): number[] {
  const seqs: number[] = [];
  const channel: SubscriberChannel = {
    backlog: 0,
    sendFrame: (_frame, events) => seqs.push(...events.map((event) => event.seq)),
    sendEvent: (event) => seqs.push(event.seq),
    sendSnapshot: () => undefined,
    whenDrained: (callback) => callback(),
  };
  const before = reads;
  attachments.attach(session, 0, channel, { mode: "events" }).start();
  expect(reads).toBe(before + 1);
  return seqs;
}

it("reads for every client whose catch-up read failed as soon as storage heals", () => {
  const first = attachedWithFailedRead("s1");
  const second = attachedWithFailedRead("s2");
  expect([first, second]).toEqual([[], []]);

  failing = false;
  bus.emit("storage-healed");
  expect([first, second]).toEqual([
    [1, 2],
    [1, 2],
  ]);
});

it("stops at the first read that fails again: the others keep their pauses", () => {
  const first = attachedWithFailedRead("s1");
  const second = attachedWithFailedRead("s2");
  const before = reads;
  bus.emit("storage-healed");
  expect(reads).toBe(before + 1);

  failing = false;
  bus.emit("storage-healed");
  expect([first, second]).toEqual([
    [1, 2],
    [1, 2],
  ]);
});
