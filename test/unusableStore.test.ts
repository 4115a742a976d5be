/**
 * A data directory or database the hub cannot use at start (another program holds the
 * database's lock, the file system is read-only): `dispatch start` says what is wrong and what
 * to do, in one message and without a stack trace, and starts once the cause is gone.
 */
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, expect, it } from "vitest";
import { cleanupAll, startHub } from "./harness.js";

afterAll(cleanupAll);

/** Two starts and a stop, each a few Node boots, plus SQLite's 5 s busy timeout. */
const TEST_MS = 90_000;

// The two run side by side, each in a data directory of its own: the first spends most of its
// time waiting out SQLite's busy timeout, which the second's starts fill.
it.concurrent(
  "a database another program holds locked: start names the cause and the way out, then starts once it is let go",
  async () => {
    const h = await startHub();
    expect((await h.cli(["stop"])).code).toBe(0);
    // A program holding the file in exclusive locking mode (a `sqlite3` shell that ran
    // `PRAGMA locking_mode = EXCLUSIVE` and wrote): not even readers get in.
    const other = new Database(join(h.home, "dispatch.db"));
    try {
      other.pragma("locking_mode = EXCLUSIVE");
      other.exec("BEGIN EXCLUSIVE");
      const refused = await h.cli(["start", "--port", "0"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain("another program holds its lock");
      expect(refused.stderr).toContain("start the hub again");
      expect(refused.stderr).not.toContain("sonic boom");
      expect(refused.stderr).not.toMatch(/\n\s+at /);
      other.exec("COMMIT");
    } finally {
      other.close();
    }
    const started = await h.cli(["start", "--port", "0"]);
    expect(started.code, started.stderr).toBe(0);
    expect((await h.cli(["ls"])).code).toBe(0);
  },
  TEST_MS,
);

it.concurrent(
  "a read-only data directory: start says which directory and what to do",
  async () => {
    const home = mkdtempSync(join(tmpdir(), "dispatch-readonly-"));
    execFileSync("mount", ["-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", home]);
    try {
      const h = await startHub({ home });
      expect((await h.cli(["stop", "--all"])).code).toBe(0);
      execFileSync("mount", ["-o", "remount,ro", home]);
      const refused = await h.cli(["start", "--port", "0"]);
      expect(refused.code).toBe(1);
      expect(refused.stderr).toContain(`the data directory ${home} is on a read-only file system`);
      expect(refused.stderr).toContain("DISPATCH_HOME");
      execFileSync("mount", ["-o", "remount,rw", home]);
      await h.stop();
    } finally {
      try {
        execFileSync("umount", ["-l", home]);
      } catch {
        // Not mounted (the mount failed): nothing to undo.
      }
      rmSync(home, { recursive: true, force: true });
    }
  },
  TEST_MS,
);
