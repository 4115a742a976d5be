import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import type { SessionEvent } from "../protocol/events.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { EventIntake } from "./EventIntake.js";
import type { HostLink } from "./HostLink.js";
import { HubEvents } from "./HubEvents.js";
import { SessionDirectory } from "./SessionDirectory.js";
import { StorageHealth } from "./StorageHealth.js";

const output = (session: string, seq: number): SessionEvent => ({
  session,
  seq,
  ts: 1000 + seq,
  type: "output",
  data: new TextEncoder().encode(`echo ${seq}\n`),
});

describe("an input's receipt while the store fails", () => {
  let dir: string;
  let fault: string;
  let store: SqliteStore;
  let bus: HubEvents;
  let intake: EventIntake;

  beforeEach(() => {
    // The receipt's hold (`EchoReceipts`) ends on a timer: faked, it never ends by itself here.
    vi.useFakeTimers();
    dir = mkdtempSync(join(tmpdir(), "dispatch-intake-"));
    fault = join(dir, "fail");
    process.env.DISPATCH_TEST_FAULT_FILE = fault;
    store = SqliteStore.open(join(dir, "db"));
    delete process.env.DISPATCH_TEST_FAULT_FILE;
    store.insertSession(sessionRecord({ id: "s1", name: "one" }));
    store.insertSession(sessionRecord({ id: "s2", name: "two" }));
    const logger = pino({ level: "silent" });
    bus = new HubEvents();
    intake = new EventIntake({
      store,
      directory: new SessionDirectory(store, () => true),
      hosts: { link: () => undefined, require: () => ({}) as HostLink },
      bus,
      logger,
      health: new StorageHealth(logger),
    });
  });

  afterEach(() => {
    intake.dispose();
    store.close();
    vi.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  it("is not held for an echo whose commit failed (a script typing line by line is not slowed)", async () => {
    const released = new Set<string>();
    for (const id of ["s1", "s2"]) void intake.echoed(id).then(() => released.add(id));
    writeFileSync(fault, "");
    bus.emit("host-event", {} as HostLink, output("s1", 1), undefined);
    intake.flush();
    await vi.advanceTimersByTimeAsync(0);
    // s1's echo is shown only after its host's resend is stored: its receipt goes now.
    expect([...released]).toEqual(["s1"]);
    // s2's echo may still come: its receipt waits the usual moment for it.
    await vi.advanceTimersByTimeAsync(250);
    expect([...released].sort()).toEqual(["s1", "s2"]);
  });
});
