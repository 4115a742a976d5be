/**
 * `dispatch start` with the data directory on a full disk (a tiny tmpfs, filled): it says what
 * is full and what to do, not a bare "ENOSPC: no space left on device, write", and leaves no
 * empty `start.lock` behind to hold up the next attempt.
 */
import { execFileSync } from "node:child_process";
import { closeSync, existsSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, expect, it } from "vitest";
import { cleanEnv, runCli } from "./harness.js";

const mounts: string[] = [];

afterEach(() => {
  for (const dir of mounts.splice(0)) {
    try {
      execFileSync("umount", ["-l", dir]);
    } catch {
      // Not mounted (the mount failed): nothing to undo.
    }
    rmSync(dir, { recursive: true, force: true });
  }
});

/** Writes into `dir` until its file system is full. */
function fill(dir: string): void {
  const fd = openSync(join(dir, "filler"), "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe("ENOSPC");
  } finally {
    closeSync(fd);
  }
}

it("says the disk holding the data directory is full and what to do", async () => {
  const home = mkdtempSync(join(tmpdir(), "dispatch-full-home-"));
  mounts.push(home);
  execFileSync("mount", ["-t", "tmpfs", "-o", "size=256k,mode=0700", "tmpfs", home]);
  fill(home);

  const start = await runCli(["start", "--port", "0"], cleanEnv({ DISPATCH_HOME: home, HOME: home }));
  expect(start.code).toBe(1);
  expect(start.stderr).toContain(`the disk holding ${home} is full`);
  expect(start.stderr).toContain("free some space there, or point DISPATCH_HOME at a disk with room");
  expect(start.stderr).not.toContain("ENOSPC");
  expect(existsSync(join(home, "start.lock"))).toBe(false);
});
