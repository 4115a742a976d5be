import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { sessionRecord } from "../../test/sessionRecord.js";
import type { SessionEvent } from "../protocol/events.js";
import type { Store } from "../store/Store.js";
import { SqliteStore } from "../store/sqlite/SqliteStore.js";
import { AnnouncedSeqs } from "./AnnouncedSeqs.js";

const line = (seq: number): SessionEvent => ({
  session: "s",
  seq,
  ts: 1000 + seq,
  type: "output",
  data: new TextEncoder().encode(`line-${seq}\n`),
});
const seqs = (entries: { event: SessionEvent }[]) => entries.map((entry) => entry.event.seq);

describe("AnnouncedSeqs", () => {
  let dir: string;
  let store: Store;
  let announced: AnnouncedSeqs;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), "dispatch-announced-"));
    store = SqliteStore.open(join(dir, "dispatch.db"));
    store.insertSession(sessionRecord({ id: "s" }));
    announced = new AnnouncedSeqs(store);
  });
  afterEach(() => {
    store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("hands on a batch that continues what was announced as it is", () => {
    store.appendBatch([line(1), line(2)]);
    expect(seqs(announced.complete("s", [{ event: line(1) }, { event: line(2) }]))).toEqual([1, 2]);
    store.appendBatch([line(3)]);
    expect(seqs(announced.complete("s", [{ event: line(3) }]))).toEqual([3]);
  });

  it("puts events stored but never announced (a commit whose answer was lost) before the batch", () => {
    store.appendBatch([line(1)]);
    announced.complete("s", [{ event: line(1) }]);
    // Committed, though the hub was told the commit failed: never announced.
    store.appendBatch([line(2), line(3)]);
    store.appendBatch([line(4)]);
    const batch = announced.complete("s", [{ event: line(4) }]);
    expect(seqs(batch)).toEqual([2, 3, 4]);
    const read = batch[0]?.event;
    expect(read?.type === "output" && Buffer.from(read.data).toString()).toBe("line-2\n");
  });

  it("completes nothing for a session it has forgotten (its log continues from elsewhere)", () => {
    store.appendBatch([line(1)]);
    announced.complete("s", [{ event: line(1) }]);
    announced.forget("s");
    store.appendBatch([line(2), line(3)]);
    expect(seqs(announced.complete("s", [{ event: line(3) }]))).toEqual([3]);
  });
});
