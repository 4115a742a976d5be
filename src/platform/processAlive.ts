/**
 * Whether a process is alive, as dispatch means it everywhere (pid files, kernels, tests): it
 * exists (EPERM: it exists but belongs to someone else) and is not a zombie. A zombie counts as
 * gone: a detached process's new parent may be slow to reap it, or never do so.
 */
import { readFileSync } from "node:fs";

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
  return !isZombie(pid);
}

function isZombie(pid: number): boolean {
  try {
    // Format: `pid (comm) state ...`; comm may hold spaces and parentheses, so split at the last ')'.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) === "Z";
  } catch {
    // No /proc here (macOS) or the process just went: kill(0) already answered.
    return false;
  }
}
