/**
 * The data directory (`DISPATCH_HOME`, default `$XDG_DATA_HOME/dispatch`, i.e.
 * `~/.local/share/dispatch`) and the files that live in it. Created with mode 0700: it holds
 * the access key, the host socket and the database.
 */
import { chmodSync, existsSync, lstatSync, mkdirSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";

export interface HomePaths {
  home: string;
  /** SQLite event store. */
  db: string;
  /** Access key, mode 0600. */
  key: string;
  /** Unix socket of the local host daemon, mode 0600. */
  hostSocket: string;
  hostPid: string;
  hubPid: string;
  /** JSON `{pid, port, host, url}` written by a running hub, for the CLI to find it. */
  hubInfo: string;
  /** The port the hub last started on, for the next start (`hubPort.ts`). */
  hubPort: string;
  hubLog: string;
  hostLog: string;
  /** Periodic and on-demand backups (`dispatch backup`). */
  backups: string;
  /** Per-host directories (`run/<host>`) for files of sessions' processes (kernel connection files). */
  run: string;
}

export function dataHome(env: NodeJS.ProcessEnv = process.env): string {
  if (env.DISPATCH_HOME) return env.DISPATCH_HOME;
  const xdg = env.XDG_DATA_HOME || join(homedir(), ".local", "share");
  return join(xdg, "dispatch");
}

export function homePaths(home: string = dataHome()): HomePaths {
  return {
    home,
    db: join(home, "dispatch.db"),
    key: join(home, "access.key"),
    hostSocket: join(home, "host.sock"),
    hostPid: join(home, "host.pid"),
    hubPid: join(home, "hub.pid"),
    hubInfo: join(home, "hub.json"),
    hubPort: join(home, "hub.port"),
    hubLog: join(home, "hub.log"),
    hostLog: join(home, "host.log"),
    backups: join(home, "backups"),
    run: join(home, "run"),
  };
}

/** Every file dispatch keeps in the data directory (what `ensureHome` and `doctor` check). */
export function homeFiles(paths: HomePaths): string[] {
  const { home, db, key, hostSocket, hostPid, hubPid, hubInfo, hubPort, hubLog, hostLog } = paths;
  return [
    db,
    `${db}-wal`,
    `${db}-shm`,
    key,
    hostSocket,
    hostPid,
    hubPid,
    hubInfo,
    hubPort,
    hubLog,
    hostLog,
    join(home, "hub.out"),
    join(home, "host.out"),
  ];
}

/**
 * Creates the data directory, and tightens it to 0700 and dispatch's files in it to 0600 even
 * when they existed before (`mkdir`'s mode and a file's creation mode apply only to new ones).
 * Only dispatch's own files are touched: the directory may be shared with other things.
 */
export function ensureHome(home: string): HomePaths {
  const paths = homePaths(home);
  try {
    mkdirSync(home, { recursive: true, mode: 0o700 });
    chmodSync(home, 0o700);
    for (const file of homeFiles(paths)) {
      if (existsSync(file) && !lstatSync(file).isSymbolicLink()) chmodSync(file, 0o600);
    }
    if (existsSync(paths.backups)) chmodSync(paths.backups, 0o700);
  } catch (err) {
    throw unusableHome(home, err);
  }
  return paths;
}

/** Codes that mean the directory itself is out of reach, which a person fixes, not a retry. */
const UNUSABLE_HOME_CODES = new Set(["EROFS", "EACCES", "EPERM", "ENOTDIR", "EEXIST"]);

/**
 * The first thing every dispatch process does is here: a data directory it cannot write must
 * say which and what to do, not `EROFS: read-only file system, chmod '…'`.
 */
function unusableHome(home: string, err: unknown): unknown {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === undefined || !UNUSABLE_HOME_CODES.has(code)) return err;
  const why =
    code === "EROFS"
      ? "is on a read-only file system"
      : code === "ENOTDIR" || code === "EEXIST"
        ? "is not a directory"
        : "cannot be changed by this user";
  return new Error(
    `the data directory ${home} ${why} (${code}); dispatch keeps its database, logs and socket there: mount it read-write, fix its owner, or point DISPATCH_HOME at a writable directory`,
    { cause: err },
  );
}
