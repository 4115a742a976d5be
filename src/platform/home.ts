/**
 * The data directory (`DISPATCH_HOME`, default `$XDG_DATA_HOME/dispatch`, i.e.
 * `~/.local/share/dispatch`) and the files that live in it. Created with mode 0700: it holds
 * the access key, the host socket and the database.
 */
import { chmodSync, mkdirSync } from "node:fs";
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
  hubLog: string;
  hostLog: string;
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
    hubLog: join(home, "hub.log"),
    hostLog: join(home, "host.log"),
  };
}

/**
 * Creates the data directory, or tightens an existing one, to mode 0700: a directory made by an
 * older dispatch or by hand (often 0755) would otherwise show other users the socket and logs.
 */
export function ensureHome(home: string): HomePaths {
  mkdirSync(home, { recursive: true, mode: 0o700 });
  chmodSync(home, 0o700);
  return homePaths(home);
}
