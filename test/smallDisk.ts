/**
 * Small file systems for the full-disk tests: a tmpfs of a given size on a fresh directory
 * (the tests run as root), filled on request, and unmounted and removed afterwards.
 */
import { execFileSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "vitest";

const mounts: string[] = [];

/** A new directory with a tmpfs of `size` (e.g. `256k`, `64m`) mounted on it. */
export function smallDisk(size: string, prefix = "dispatch-tmpfs-"): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  mounts.push(dir);
  execFileSync("mount", ["-t", "tmpfs", "-o", `size=${size},mode=0700`, "tmpfs", dir]);
  return dir;
}

/** Unmounts and removes every disk `smallDisk` made (for `afterEach`). */
export function removeSmallDisks(): void {
  for (const dir of mounts.splice(0)) {
    try {
      execFileSync("umount", ["-l", dir]);
    } catch {
      // Not mounted (the mount failed): nothing to undo.
    }
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Fills the file system holding `dir` until a write fails; returns the filler file. */
export function fillDisk(dir: string): string {
  const file = join(dir, "filler");
  const fd = openSync(file, "w");
  const chunk = Buffer.alloc(64 * 1024);
  try {
    for (;;) writeSync(fd, chunk);
  } catch (err) {
    expect((err as NodeJS.ErrnoException).code).toBe("ENOSPC");
  } finally {
    closeSync(fd);
  }
  return file;
}
