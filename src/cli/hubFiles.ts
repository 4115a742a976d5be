/**
 * The files a running hub and host leave in `DISPATCH_HOME` (`hub.json`, `hub.pid`,
 * `host.pid`) and the process checks built on them, for the commands that work while the hub
 * is down (`start`, `stop`, `status`).
 */
import { closeSync, openSync, readFileSync, rmSync, statSync, watch, writeSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import type BetterSqlite3 from "better-sqlite3";
import { DispatchError } from "../core/errors.js";
import { importModule } from "../core/importModule.js";
import type { HomePaths } from "../platform/home.js";
import { isAlive } from "../platform/processAlive.js";

/**
 * What the hub writes to `hub.json` once it listens. Checked by hand rather than with a zod
 * schema: `dispatch start` and the supervisor read it on a hub restart's critical path, and zod
 * was a third of that command's load time.
 */
export interface HubInfo {
  pid: number;
  port: number;
  host: string;
  url: string;
  startedAt?: number | undefined;
}

/** `value` (parsed JSON) as a `HubInfo`, or undefined when it is not one. */
export function parseHubInfo(value: unknown): HubInfo | undefined {
  if (typeof value !== "object" || value === null) return undefined;
  const { pid, port, host, url, startedAt } = value as Record<string, unknown>;
  if (
    !Number.isInteger(pid) ||
    !Number.isInteger(port) ||
    typeof host !== "string" ||
    typeof url !== "string"
  )
    return undefined;
  if (startedAt !== undefined && typeof startedAt !== "number") return undefined;
  return {
    pid: pid as number,
    port: port as number,
    host,
    url,
    ...(startedAt === undefined ? {} : { startedAt }),
  };
}

/** How often process and health checks poll while waiting. */
export const POLL_INTERVAL_MS = 50;
/** How often `waitForHubInfo` looks anyway, should the directory watch miss the write. */
const WATCH_FALLBACK_MS = 250;

export function readHubInfo(paths: HomePaths): HubInfo | undefined {
  try {
    return parseHubInfo(JSON.parse(readFileSync(paths.hubInfo, "utf8")));
  } catch {
    // Missing or half-written file: the hub is not (yet) running.
    return undefined;
  }
}

/**
 * The `hub.json` of a hub that started listening at or after `since`, as soon as it is written:
 * the data directory is watched (inotify), so `dispatch start` returns the moment the hub
 * listens, not at its next poll, and without a health request (which a hub catching up on its
 * sessions' downtime output answered only after a queue of work). Undefined when `until`
 * settles first (the launched process exited) or after `timeoutMs`.
 */
export function waitForHubInfo(
  paths: HomePaths,
  options: { since: number; timeoutMs: number; until?: Promise<unknown> },
): Promise<HubInfo | undefined> {
  return new Promise((resolve) => {
    let done = false;
    const finish = (info: HubInfo | undefined) => {
      if (done) return;
      done = true;
      watcher?.close();
      clearInterval(poll);
      clearTimeout(timeout);
      resolve(info);
    };
    const look = () => {
      const info = readHubInfo(paths);
      if (info && (info.startedAt ?? 0) >= options.since) finish(info);
    };
    const name = basename(paths.hubInfo);
    let watcher: ReturnType<typeof watch> | undefined;
    try {
      watcher = watch(dirname(paths.hubInfo), (_event, file) => {
        if (file === null || file === name) look();
      });
      // A watch that fails later (the directory removed) leaves the poll below.
      watcher.on("error", () => watcher?.close());
    } catch {
      // No inotify (or too many watches): the poll below finds it a little later.
    }
    const poll = setInterval(look, WATCH_FALLBACK_MS);
    const timeout = setTimeout(() => finish(undefined), options.timeoutMs);
    options.until?.then(
      () => finish(undefined),
      () => finish(undefined),
    );
    look();
  });
}

export function readPidFile(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    // No pid file: nothing running.
    return undefined;
  }
}

/**
 * Whether `pid` is alive and, where `/proc` tells, runs dispatch code whose command line holds
 * `marker`: after a reboot a stale pid file may name an unrelated process, never signal that.
 */
export function isDispatchProcess(pid: number, marker: string): boolean {
  if (!isAlive(pid)) return false;
  let cmdline: string;
  try {
    cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8");
  } catch {
    // No /proc (macOS) or the process just ended: trust the pid file.
    return isAlive(pid);
  }
  return cmdline.includes(marker);
}

/** The hub's pid from `hub.json`, else `hub.pid`, if that process is a live hub. */
export function runningHubPid(paths: HomePaths): number | undefined {
  const pid = readHubInfo(paths)?.pid ?? readPidFile(paths.hubPid);
  return pid !== undefined && isDispatchProcess(pid, HUB_MARKER) ? pid : undefined;
}

export function runningHostPid(paths: HomePaths): number | undefined {
  const pid = readPidFile(paths.hostPid);
  return pid !== undefined && isDispatchProcess(pid, HOST_MARKER) ? pid : undefined;
}

/**
 * Held by a hub for as long as it runs (`dispatch serve`): one hub per data directory. A second
 * one would share the database and the host, and remove the first one's files on its way out.
 */
export function hubLockFile(paths: HomePaths): string {
  return join(paths.home, "hub.lock");
}

export interface HeldLock {
  release(): void;
}

/**
 * Takes an exclusive lock on `file`, or answers undefined when another process holds it. The
 * lock is an open exclusive SQLite transaction, that is a POSIX record lock, which the kernel
 * drops with its process however that ends (SIGKILL included): no stale lock to detect, no pid
 * to trust. The file stays empty. better-sqlite3 is loaded on first use only.
 * Keep the answer reachable until `release()`: a connection garbage-collected is closed.
 */
export async function tryLock(file: string): Promise<HeldLock | undefined> {
  const { default: Database } = await importModule<{ default: typeof BetterSqlite3 }>("better-sqlite3");
  // Created 0600, as every file in the data directory (SQLite would create it 0644).
  closeSync(openSync(file, "a", 0o600));
  const db = new Database(file, { timeout: 0 });
  try {
    // No journal file beside the lock: nothing is ever written to roll back.
    db.pragma("journal_mode = MEMORY");
    db.exec("BEGIN EXCLUSIVE");
  } catch (err) {
    db.close();
    if (String((err as { code?: unknown }).code).startsWith("SQLITE_BUSY")) return undefined;
    throw err;
  }
  return { release: () => db.close() };
}

/**
 * Takes `file` for this process (created exclusively, holding its pid), or answers undefined
 * while a live dispatch process holds it. Lighter than `tryLock` (no SQLite to load on the
 * CLI's way to starting a hub); a holder that was killed leaves the file behind, and its dead
 * pid lets the next one take it over.
 */
export function tryPidLock(file: string): HeldLock | undefined {
  for (let attempt = 0; attempt < 2; attempt++) {
    const fd = createExclusive(file);
    if (fd !== undefined) {
      try {
        writeSync(fd, String(process.pid));
      } catch (err) {
        // Ours, and empty: left behind it would pass for a lock being written (see justCreated).
        rmSync(file, { force: true });
        throw unwritable(file, err);
      } finally {
        closeSync(fd);
      }
      return {
        release: () => {
          if (readPidFile(file) === process.pid) rmSync(file, { force: true });
        },
      };
    }
    const holder = readPidFile(file);
    if (holder !== undefined ? isDispatchProcess(holder, HUB_MARKER) : justCreated(file)) return undefined;
    rmSync(file, { force: true });
  }
  return undefined;
}

/** A descriptor of `file`, created now, or undefined when it exists already. */
function createExclusive(file: string): number | undefined {
  try {
    return openSync(file, "wx", 0o600);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EEXIST") return undefined;
    throw unwritable(file, err);
  }
}

/**
 * Why `file` in the data directory could not be written, and what to do, for a person: the
 * bare "ENOSPC: no space left on device, write" named neither the directory nor a remedy.
 */
function unwritable(file: string, err: unknown): DispatchError {
  const code = (err as NodeJS.ErrnoException).code;
  const dir = dirname(file);
  const what = `cannot write ${basename(file)} in ${dir}`;
  let message: string;
  if (code === "ENOSPC" || code === "EDQUOT") {
    message = `the disk holding ${dir} is full (${what}); free some space there, or point DISPATCH_HOME at a disk with room, then try again`;
  } else if (code === "EROFS") {
    message = `${dir} is on a read-only file system (${what}); mount it read-write, or point DISPATCH_HOME at a writable directory`;
  } else if (code === "EACCES" || code === "EPERM") {
    message = `${what}: permission denied; make ${dir} writable by this user, or point DISPATCH_HOME elsewhere`;
  } else {
    message = `${what}: ${err instanceof Error ? err.message : String(err)}`;
  }
  return new DispatchError("internal", message, { cause: err });
}

/** An empty lock file is one being written, unless it is older than this (its writer was killed). */
const EMPTY_LOCK_STALE_MS = 5_000;

function justCreated(file: string): boolean {
  try {
    return Date.now() - statSync(file).mtimeMs < EMPTY_LOCK_STALE_MS;
  } catch {
    // Gone meanwhile: the next attempt creates it.
    return false;
  }
}

/** Part of the hub's command line (`node …/bin/dispatch.js serve` or `npm start`). */
export const HUB_MARKER = "dispatch";
/** Part of the host daemon's command line (`node …/dist/src/host/main.js`). */
export const HOST_MARKER = "host/main.js";

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls (every `intervalMs`) until `pid` is gone; true if it went within `timeoutMs`. */
export async function waitForExit(
  pid: number,
  timeoutMs: number,
  intervalMs = POLL_INTERVAL_MS,
): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) return true;
    await sleep(intervalMs);
  }
  return !isAlive(pid);
}
