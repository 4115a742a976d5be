/**
 * What runs in a terminal's foreground, read from /proc (Linux). Field 8 of
 * `/proc/PID/stat` is the terminal's foreground process group; when it is the session's own
 * process the shell is idle, otherwise the group leader's command line is what runs.
 * Elsewhere (no /proc) it reports nothing, which the UI shows as unknown/idle.
 */
import { readFileSync } from "node:fs";

const MAX_COMMAND_CHARS = 200;

export function foregroundCommand(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // The command name (field 2) is in parentheses and may contain spaces: split after it.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    const tpgid = Number(fields[5]);
    if (!Number.isInteger(tpgid) || tpgid <= 0 || tpgid === pid) return null;
    const cmdline = readFileSync(`/proc/${tpgid}/cmdline`, "utf8");
    const text = cmdline.split("\0").filter(Boolean).join(" ");
    return text.length > 0 ? text.slice(0, MAX_COMMAND_CHARS) : null;
  } catch {
    // The process ended between reads, or this platform has no /proc: nothing to report.
    return null;
  }
}
