/**
 * Where `dispatch backup` writes, as an operator types it: never over the hub's own database,
 * and a backup that fails (its disk full) leaves no broken file and keeps an earlier one.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, checkCompleteLog, finishedCounter } from "./countedLog.js";
import { cleanupAll, type HubHandle, startHub } from "./harness.js";
import { fillDisk, removeSmallDisks, smallDisk } from "./smallDisk.js";

/** One hub for both tests (a hub's start is most of their time); each uses its own sessions. */
let h: HubHandle;

beforeAll(async () => {
  h = await startHub();
});
afterEach(removeSmallDisks);
afterAll(async () => {
  await h?.stop();
  await cleanupAll();
});

describe("dispatch backup", () => {
  it("refuses to write over the hub's own database or its log, which stay whole", async () => {
    await finishedCounter(h, "before", { lines: 50 });
    for (const own of ["dispatch.db", "dispatch.db-wal"]) {
      const refused = await h.cli(["backup", join(h.home, own)]);
      expect(refused.code, refused.stdout).toBe(1);
      expect(refused.stderr).toContain(`is the hub's own`);
      expect(refused.stderr).toContain("name a file elsewhere");
    }
    // The database is sound and still takes output: nothing was truncated under the hub.
    await finishedCounter(h, "after", { lines: 50 });
    expect(await checkCompleteLog(h, "before")).toBe(50);
    expect(await checkCompleteLog(h, "after")).toBe(50);
    const check = await api<{ problems: string[] }>(h, "/api/storage/check", {
      method: "POST",
      body: JSON.stringify({ full: true }),
    });
    expect(check.problems).toEqual([]);
  });

  it("on a full disk says it is the backup's disk, leaves nothing half-written and keeps the earlier backup", async () => {
    const disk = smallDisk("2m", "dispatch-backup-disk-");
    const file = join(disk, "nightly.db");
    const first = await h.cli(["backup", file]);
    expect(first.code, first.stderr).toBe(0);
    const earlier = readFileSync(file);
    fillDisk(disk);

    const full = await h.cli(["backup", file]);
    expect(full.code).toBe(1);
    expect(full.stderr).toContain(`the disk holding ${disk} is full`);
    expect(full.stderr).not.toContain("data directory");
    // Nothing half-written was left, and the earlier backup is as it was (a failed copy never
    // touched it).
    expect(readdirSync(disk).sort()).toEqual(["filler", "nightly.db"]);
    expect(readFileSync(file).equals(earlier)).toBe(true);
    // The hub's own storage was never the problem.
    expect((await api<{ storage: { ok: boolean } }>(h, "/api/status")).storage.ok).toBe(true);
  });
});
