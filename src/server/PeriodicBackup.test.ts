import { mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pino } from "pino";
import { afterEach, describe, expect, it, vi } from "vitest";
import type { Store } from "../store/Store.js";
import { PeriodicBackup } from "./PeriodicBackup.js";

const HOUR = 3_600_000;
const logger = pino({ level: "silent" });
const made: PeriodicBackup[] = [];
const dirs: string[] = [];

afterEach(async () => {
  for (const backup of made.splice(0)) await backup.dispose();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A store whose backups are small files (or fail, as on a full disk, while `fail()` says so). */
function store(fail: () => boolean): Store {
  return {
    backupTo: async (file: string) => {
      if (fail()) throw Object.assign(new Error("no space left on device"), { code: "ENOSPC" });
      writeFileSync(file, "a backup");
      return 8;
    },
  } as Partial<Store> as Store;
}

function backupDir(backups: { name: string; at: number }[]): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-backups-"));
  dirs.push(dir);
  for (const { name, at } of backups) {
    writeFileSync(join(dir, name), "an older backup");
    utimesSync(join(dir, name), at / 1000, at / 1000);
  }
  return dir;
}

function periodic(
  dir: string,
  options: { everyMs: number; keep?: number; fail?: boolean | (() => boolean) },
): PeriodicBackup {
  const { fail = false } = options;
  const backup = new PeriodicBackup({
    store: store(typeof fail === "function" ? fail : () => fail),
    dir,
    everyMs: options.everyMs,
    keep: options.keep ?? 7,
    logger,
  });
  made.push(backup);
  return backup;
}

describe("periodic backups", () => {
  it("a hub started with its newest backup older than the interval backs up at once, keeping the newest `keep`", async () => {
    const long = Date.now() - 30 * 24 * HOUR;
    const dir = backupDir([
      { name: "dispatch-2026-01-01T00-00-00-000Z.db", at: long },
      { name: "dispatch-2026-01-02T00-00-00-000Z.db", at: long + HOUR },
      { name: "dispatch-2026-01-03T00-00-00-000Z.db", at: long + 2 * HOUR },
    ]);
    periodic(dir, { everyMs: 6 * HOUR, keep: 2 });
    // Without counting from the newest backup, the first one came 6 h after each start: a hub
    // restarted more often than that never took one.
    await vi.waitFor(() => expect(readdirSync(dir)).not.toContain("dispatch-2026-01-02T00-00-00-000Z.db"), {
      timeout: 10_000,
    });
    const left = readdirSync(dir).sort();
    expect(left).toHaveLength(2);
    expect(left[0]).toBe("dispatch-2026-01-03T00-00-00-000Z.db");
  });

  it("counts the interval from the newest backup, and waits a whole interval after a failed one", async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const dir = backupDir([{ name: "dispatch-2026-01-01T00-00-00-000Z.db", at: now - HOUR }]);
    expect(periodic(dir, { everyMs: 6 * HOUR }).dueInMs(now)).toBe(5 * HOUR);

    const failing = periodic(dir, { everyMs: 6 * HOUR, fail: true });
    await failing.runOnce(new Date(now + 5 * HOUR));
    // Not due again at once (a full disk would be hammered): one interval after the attempt.
    expect(failing.dueInMs(now + 5 * HOUR)).toBe(6 * HOUR);
  });

  it("keeps the last failure with its reason for the status until a later backup succeeds", async () => {
    const now = Math.floor(Date.now() / 1000) * 1000;
    const dir = backupDir([{ name: "dispatch-2026-01-01T00-00-00-000Z.db", at: now - HOUR }]);
    let full = true;
    const backups = periodic(dir, { everyMs: 6 * HOUR, fail: () => full });
    expect(backups.status(now)).toMatchObject({ failure: null, last: { at: now - HOUR } });

    await backups.runOnce(new Date(now));
    const failed = backups.status(now);
    expect(failed.failure?.at).toBe(now);
    expect(failed.failure?.problem).toContain(`the disk holding ${dir} is full`);
    // The good one before it is still there, and still said.
    expect(failed.last?.file).toBe(join(dir, "dispatch-2026-01-01T00-00-00-000Z.db"));

    full = false;
    await backups.runOnce(new Date(now + 6 * HOUR));
    const cleared = backups.status(now + 6 * HOUR);
    expect(cleared.failure).toBeNull();
    expect(cleared.last?.file).toContain(join(dir, "dispatch-"));
    expect(cleared.last?.file).not.toContain("2026-01-01");
  });
});
