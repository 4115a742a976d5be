/**
 * What runs in a terminal's foreground, read from /proc (Linux). Field 8 of
 * `/proc/PID/stat` is the terminal's foreground process group; when it is another group, its
 * leader's command line is what runs. When it is the session's own process, that process is
 * either a shell idle at its prompt (no children in its group: null), a command busy with
 * children of its own, such as `sh -c 'while true; do date; sleep 0.2; done'`, which has no job
 * control and so runs every child in its own group (its command line), or a program that is not
 * a shell at all (its command line). Elsewhere (no /proc) it
 * reports nothing, which the UI shows as unknown/idle.
 */
import { readFileSync } from "node:fs";

const MAX_COMMAND_CHARS = 200;

export interface ForegroundOptions {
  /**
   * Report the session's own process as busy while it has children in its process group.
   * Off in a sandbox, where the process is bwrap and its child is the session's own command.
   */
  ownChildren?: boolean;
}

export function foregroundCommand(pid: number, options: ForegroundOptions = {}): string | null {
  try {
    const tpgid = Number(statFields(pid)[5]);
    if (!Number.isInteger(tpgid) || tpgid <= 0) return null;
    if (tpgid === pid) {
      if (!options.ownChildren) return null;
      // A shell with no child at work waits at its prompt; any other program (`dispatch new --
      // npm run dev`, or what `sh -c 'a; b'` exec'ed for its last command) is itself at work.
      return hasChildInGroup(pid) || !isShell(pid) ? commandLine(pid) : null;
    }
    return commandLine(tpgid);
  } catch {
    // The process ended between reads, or this platform has no /proc: nothing to report.
    return null;
  }
}

/** Fields of `/proc/PID/stat` after the command name (field 3, the state, comes first). */
function statFields(pid: number): string[] {
  const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
  // The command name (field 2) is in parentheses and may contain spaces: split after it.
  return stat.slice(stat.lastIndexOf(")") + 2).split(" ");
}

function commandLine(pid: number): string | null {
  const text = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").filter(Boolean).join(" ");
  return text.length > 0 ? text.slice(0, MAX_COMMAND_CHARS) : null;
}

/** Programs that sit at a prompt waiting for a command line: without a child at work, idle. */
const SHELLS = new Set([
  "sh",
  "ash",
  "bash",
  "dash",
  "zsh",
  "ksh",
  "mksh",
  "pdksh",
  "yash",
  "fish",
  "tcsh",
  "csh",
  "nu",
  "elvish",
  "xonsh",
  "pwsh",
  "busybox",
]);

/** Whether the process runs a shell now (its name, a login shell's leading `-` removed). */
function isShell(pid: number): boolean {
  const name = readFileSync(`/proc/${pid}/comm`, "utf8").trim().replace(/^-/, "");
  return SHELLS.has(name);
}

/** Whether `pid` has a child in its own process group (a shell's background jobs have their own). */
function hasChildInGroup(pid: number): boolean {
  let children: string[];
  try {
    children = readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/).filter(Boolean);
  } catch {
    // A kernel without the children file: the process reads as idle, as before.
    return false;
  }
  return children.some((child) => {
    try {
      return Number(statFields(Number(child))[2]) === pid;
    } catch {
      // That child ended meanwhile.
      return false;
    }
  });
}
