/**
 * What Linux's /proc tells of a kernel process: resident memory, CPU time, start time, command
 * line, and every process's command line (to find kernels by their connection file). Each
 * answer is null (or empty) where there is no /proc or the process is gone.
 */
import { readdirSync, readFileSync } from "node:fs";

/** Clock ticks per second of /proc's CPU and start times (USER_HZ, 100 on every Linux ABI). */
const TICKS_PER_SECOND = 100;

/** Resident memory in bytes (VmRSS). */
export function residentBytes(pid: number): number | null {
  try {
    const match = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : null;
  } catch {
    // Gone, or no /proc.
    return null;
  }
}

/** The fields of /proc/PID/stat after the command name (which may hold spaces). */
function statFields(pid: number): string[] | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
  } catch {
    // Gone, or no /proc.
    return null;
  }
}

/** CPU time used so far (user + system), in seconds. */
export function cpuSeconds(pid: number): number | null {
  const fields = statFields(pid);
  // Fields from `state` on: utime is the 12th, stime the 13th (stat(5) numbers 14 and 15).
  if (!fields) return null;
  return (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND;
}

/** The process's argv. */
export function commandLine(pid: number): string[] {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean);
  } catch {
    // Gone, or no /proc.
    return [];
  }
}

/** Every process id /proc lists (none without /proc). */
export function processIds(): number[] {
  try {
    return readdirSync("/proc")
      .filter((entry) => /^\d+$/.test(entry))
      .map(Number);
  } catch {
    // No /proc (macOS): no processes to scan.
    return [];
  }
}
