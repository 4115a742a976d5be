/**
 * The processes a test hub's home started (its supervisor, hub and host), remembered by pid and
 * start time so that cleanup signals only those. A bare pid is not enough: once the kernel's
 * pid counter wraps (pid_max 32768, tens of minutes on a loaded machine) a remembered pid may
 * name an unrelated process, or another test's hub, whose command line looks the same.
 */
import { existsSync, readFileSync } from "node:fs";
import { isAlive } from "../src/platform/processAlive.js";

/** Without /proc (not Linux) nothing can be checked: a live pid is taken as the one seen. */
const HAS_PROC = existsSync("/proc/self/stat");

/**
 * When the process started, in clock ticks since boot (field 22 of /proc/PID/stat); undefined
 * when there is no such process. Two processes that held one pid never share it.
 */
export function startTimeOf(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may hold spaces or ')': count after it.
    return stat.slice(stat.lastIndexOf(")") + 2).split(" ")[19];
  } catch {
    return undefined;
  }
}

/** Whether the process was started with this DISPATCH_HOME (every process of a test hub is). */
export function runsInHome(pid: number, home: string): boolean {
  try {
    return `${readFileSync(`/proc/${pid}/environ`, "utf8")}\0`.includes(`DISPATCH_HOME=${home}\0`);
  } catch {
    // Gone, or another user's process: not ours either way.
    return false;
  }
}

export class OwnedProcesses {
  /**
   * @param seen pid → its start time when it was seen running in the home (a record kept from
   *   earlier: its pids may have been reused since).
   */
  constructor(
    private readonly home: string,
    private readonly seen = new Map<number, string>(),
  ) {}

  /**
   * Remembers a pid read from one of the home's pid files or found running in the home, if it
   * is the home's process now: a pid file left by a process that died may name another one.
   */
  note(pid: number): void {
    if (!HAS_PROC) {
      if (isAlive(pid)) this.seen.set(pid, "");
      return;
    }
    const startedAt = startTimeOf(pid);
    if (startedAt !== undefined && runsInHome(pid, this.home)) this.seen.set(pid, startedAt);
  }

  /** Whether `pid` is still the process remembered under it (running, its pid not reused). */
  owns(pid: number): boolean {
    const startedAt = this.seen.get(pid);
    if (startedAt === undefined) return false;
    return HAS_PROC ? startTimeOf(pid) === startedAt : isAlive(pid);
  }

  /** The remembered processes still running. */
  running(): number[] {
    return [...this.seen.keys()].filter((pid) => this.owns(pid));
  }

  /** SIGKILL to each remembered process still running, and to nothing else. */
  killAll(): void {
    for (const pid of this.running()) {
      try {
        process.kill(pid, "SIGKILL");
      } catch {
        // Ended between the check and the signal.
      }
    }
  }
}
