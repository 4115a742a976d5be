/**
 * Kernels no session holds. A host daemon killed outright (SIGKILL, OOM) leaves its kernels
 * behind: xeus kernels keep running, reparented, and ipykernel exits but leaves its connection
 * file. Nobody can reach them through dispatch again, so they only cost memory.
 *
 * Each host keeps its kernels' connection files in its own directory (`kernelDir`), and every
 * kernelspec's argv names its connection file, so a kernel process is found by its command
 * line. Whatever is there that this process does not hold (`isHeld`) is an orphan. Without
 * /proc (macOS) only the files are found.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { WORKSPACE } from "../../../kinds/workspace/name.js";
import { isAlive } from "../../../platform/processAlive.js";
import type { Orphan } from "../../../protocol/host.js";
import { isHeld, kernelDir, removeConnectionFile, sessionOfConnectionFile } from "./connection.js";
import { commandLine, processIds, residentBytes } from "./processInfo.js";

/** How long an orphaned kernel gets to exit on SIGTERM before SIGKILL. */
const TERM_GRACE_MS = 2000;
const POLL_MS = 50;

interface Found extends Orphan {
  path: string;
}

/** The kernelspec name the connection file records, if it can still be read. */
function kernelName(path: string): string | undefined {
  try {
    const name = (JSON.parse(readFileSync(path, "utf8")) as { kernel_name?: unknown }).kernel_name;
    return typeof name === "string" ? name : undefined;
  } catch {
    // Gone or unreadable: described without a name.
    return undefined;
  }
}

/** Processes whose command line names a file in `dir`, by that file. */
function kernelProcesses(dir: string): Map<string, number[]> {
  const byFile = new Map<string, number[]>();
  const prefix = `${dir}/`;
  for (const pid of processIds()) {
    if (pid === process.pid) continue;
    for (const arg of commandLine(pid)) {
      const at = arg.indexOf(prefix);
      if (at < 0) continue;
      const path = /^[^\s"']+\.json/.exec(arg.slice(at))?.[0];
      if (!path) continue;
      byFile.set(path, [...(byFile.get(path) ?? []), pid]);
      break;
    }
  }
  return byFile;
}

function listFiles(dir: string): string[] {
  try {
    return readdirSync(dir)
      .filter((name) => name.endsWith(".json"))
      .map((name) => join(dir, name));
  } catch {
    // No kernel has run on this host yet.
    return [];
  }
}

/** The orphans in a host's run directory. */
export function findOrphanKernels(runDir: string): Found[] {
  const dir = kernelDir(runDir);
  const processes = kernelProcesses(dir);
  const files = new Set([...listFiles(dir), ...processes.keys()]);
  const found: Found[] = [];
  for (const path of files) {
    if (isHeld(path)) continue;
    const base = path.slice(dir.length + 1);
    const session = sessionOfConnectionFile(base);
    const name = kernelName(path);
    const pids = processes.get(path) ?? [];
    if (pids.length === 0) {
      found.push({
        kind: WORKSPACE,
        pid: null,
        session,
        name: name ?? null,
        description: `connection file ${base}`,
        rss: null,
        path,
      });
      continue;
    }
    for (const pid of pids)
      found.push({
        kind: WORKSPACE,
        pid,
        session,
        name: name ?? null,
        description: `kernel ${name ?? "?"} (pid ${pid})`,
        rss: residentBytes(pid),
        path,
      });
  }
  return found;
}

async function stopProcess(pid: number): Promise<void> {
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
    return;
  }
  for (let waited = 0; waited < TERM_GRACE_MS; waited += POLL_MS) {
    if (!isAlive(pid)) return;
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // It exited at the last moment.
  }
}

/** Finds the orphans and, with `clean`, stops their processes and removes their files. */
export async function sweepOrphanKernels(options: { runDir: string; clean: boolean }): Promise<Orphan[]> {
  const found = findOrphanKernels(options.runDir);
  if (options.clean) {
    await Promise.all(found.flatMap((orphan) => (orphan.pid !== null ? [stopProcess(orphan.pid)] : [])));
    for (const path of new Set(found.map((orphan) => orphan.path))) removeConnectionFile(path);
  }
  return found;
}
