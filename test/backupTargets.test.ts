/**
 * Where `dispatch backup` writes, as an operator types it: never over the hub's own database
 * or any other file of its data directory (by whatever name), nor over a file that is not an
 * earlier backup; and a backup that fails (its disk full) leaves no broken file and keeps an
 * earlier one.
 */
import {
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { api, checkCompleteLog, finishedCounter } from "./countedLog.js";
import { apiCall, cleanupAll, type HubHandle, startHub } from "./harness.js";
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

  it("refuses the data directory's key, hub.json, log, socket and run/ by any name, and files that are not backups", async () => {
    const elsewhere = mkdtempSync(join(tmpdir(), "dispatch-backup-names-"));
    try {
      const home = h.home;
      // A way into the data directory through a symbolic link, and a `..` taken after one.
      symlinkSync(home, join(elsewhere, "data"));
      mkdirSync(join(home, "run", "deep"), { recursive: true });
      symlinkSync(join(home, "run", "deep"), join(elsewhere, "deep"));
      symlinkSync(join(home, "hub.json"), join(elsewhere, "latest.db"));
      const own = ["access.key", "hub.json", "hub.log", "host.sock", "dispatch.db-shm"];
      const before = new Map(own.map((name) => [name, lstatSync(join(home, name))]));
      const targets = [
        ...own.map((name) => join(home, name)),
        join(elsewhere, "data", "access.key"),
        join(elsewhere, "latest.db"),
        join(home, "run", "kernel.db"),
      ];
      // Asked of the hub directly (a CLI start per target is seconds on a busy machine).
      for (const file of targets) {
        const refused = await apiCall(h, "/api/backup", { file });
        expect(refused.status, file).toBe(400);
        expect(JSON.stringify(refused.body), file).toMatch(/is (in )?the hub's own .*name a file elsewhere/);
      }
      // As typed: not `join`, which would take the `..` before the link (the file system does not).
      const dotted = await h.cli(["backup", `${elsewhere}/deep/../../hub.json`]);
      expect(dotted.code, dotted.stdout).toBe(1);
      expect(dotted.stderr).toContain(`is the hub's own file hub.json`);
      // Each is as it was: the socket still a socket, the key and hub.json the same file.
      for (const [name, stat] of before) {
        const now = lstatSync(join(home, name));
        expect(now.ino, name).toBe(stat.ino);
        expect(now.isSocket(), name).toBe(stat.isSocket());
      }
      expect(readFileSync(join(home, "access.key"), "utf8").trim()).toBe(h.key);

      // A person's file is kept; an earlier backup may be replaced.
      const notes = join(elsewhere, "notes.txt");
      writeFileSync(notes, "my notes\n");
      const kept = await h.cli(["backup", notes]);
      expect(kept.code).toBe(1);
      expect(kept.stderr).toContain("is not a dispatch backup");
      expect(readFileSync(notes, "utf8")).toBe("my notes\n");
      const backup = join(elsewhere, "nightly.db");
      expect((await apiCall(h, "/api/backup", { file: backup })).status).toBe(200);
      const again = await h.cli(["backup", backup]);
      expect(again.code, again.stderr).toBe(0);
      expect(readdirSync(elsewhere).filter((name) => name.startsWith("nightly"))).toEqual(["nightly.db"]);
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
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
