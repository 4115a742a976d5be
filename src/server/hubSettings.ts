/**
 * The hub's settings from its environment (`DISPATCH_*`, documented in docs/OPERATIONS.md),
 * read once at start: a bad value stops the start with what to write instead.
 */
import { statSync } from "node:fs";
import { isAbsolute } from "node:path";
import { parseDuration } from "../core/duration.js";
import { SIZE_RULES, type SizeRule } from "../hub/SessionClients.js";
import { DEFAULT_MAX_SESSIONS } from "../hub/SessionLauncher.js";
import { DEFAULT_BACKUP_KEEP, MIN_BACKUP_EVERY_MS } from "./PeriodicBackup.js";
import { DEFAULT_MAX_SOCKETS_PER_PERSON } from "./SocketQuota.js";

/** Settings from the environment (documented in the README). */
export function hubSettings(env: NodeJS.ProcessEnv) {
  const bytes = (name: string) => (Number(env[name]) > 0 ? Number(env[name]) : undefined);
  return {
    maxSessions: bytes("DISPATCH_MAX_SESSIONS") ?? DEFAULT_MAX_SESSIONS,
    retentionBytes: bytes("DISPATCH_RETENTION_BYTES"),
    snapshotEveryBytes: bytes("DISPATCH_SNAPSHOT_EVERY_BYTES"),
    /** Quiet time before the screen worker stops (DISPATCH_SCREEN_IDLE_STOP, default 30s). */
    screenIdleStopMs: env.DISPATCH_SCREEN_IDLE_STOP
      ? parseDuration(env.DISPATCH_SCREEN_IDLE_STOP)
      : undefined,
    clientLagLimitBytes: bytes("DISPATCH_CLIENT_LAG_BYTES"),
    /** How often clients are pinged (DISPATCH_CLIENT_PING, default 30s); a silent one is dropped. */
    clientPingMs: env.DISPATCH_CLIENT_PING ? parseDuration(env.DISPATCH_CLIENT_PING) : undefined,
    /** Automatic gc of ended sessions idle this long; off unless DISPATCH_GC_AFTER is set. */
    gcAfterMs: env.DISPATCH_GC_AFTER ? parseDuration(env.DISPATCH_GC_AFTER) : undefined,
    /** Client WebSockets one person (a user, a share link) may hold open (DISPATCH_MAX_SOCKETS). */
    maxSocketsPerPerson: bytes("DISPATCH_MAX_SOCKETS") ?? DEFAULT_MAX_SOCKETS_PER_PERSON,
    sizeRule: sizeRuleOf(env.DISPATCH_WINDOW_SIZE),
    /** Periodic backups into DISPATCH_BACKUP_DIR; off unless DISPATCH_BACKUP_EVERY is set. */
    backupEveryMs: backupEvery(env.DISPATCH_BACKUP_EVERY),
    backupKeep: bytes("DISPATCH_BACKUP_KEEP") ?? DEFAULT_BACKUP_KEEP,
    /** Where periodic backups go (DISPATCH_BACKUP_DIR); undefined: the data directory's `backups`. */
    backupDir: backupDir(env.DISPATCH_BACKUP_DIR),
  };
}

/** `DISPATCH_BACKUP_EVERY`: each backup copies the whole database, so not more than once a minute. */
function backupEvery(value: string | undefined): number | undefined {
  if (value === undefined || value === "") return undefined;
  const ms = parseDuration(value);
  if (ms < MIN_BACKUP_EVERY_MS) {
    throw new Error(
      `DISPATCH_BACKUP_EVERY='${value}': each backup copies the whole database; use 1m or more (e.g. 6h), or unset it for no periodic backups`,
    );
  }
  return ms;
}

/**
 * `DISPATCH_BACKUP_DIR`: a directory, created when missing. Relative would depend on where the
 * hub was started, and an existing file (the database, a typo) could never hold backups: each
 * would fail, seen only in the status, so both stop the start instead.
 */
function backupDir(value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!isAbsolute(value)) {
    throw new Error(
      `DISPATCH_BACKUP_DIR='${value}' is relative; give an absolute directory (such as /var/backups/dispatch)`,
    );
  }
  let isDirectory: boolean | undefined;
  try {
    isDirectory = statSync(value).isDirectory();
  } catch {
    // Missing (or out of reach): the first backup creates it, or says why it cannot.
  }
  if (isDirectory === false) {
    throw new Error(
      `DISPATCH_BACKUP_DIR='${value}' is a file, not a directory; name a directory for the backups (created when missing)`,
    );
  }
  return value;
}

function sizeRuleOf(value: string | undefined): SizeRule {
  if (value === undefined || value === "") return "latest";
  const rule = SIZE_RULES.find((r) => r === value);
  if (!rule) throw new Error(`DISPATCH_WINDOW_SIZE='${value}': use one of ${SIZE_RULES.join(", ")}`);
  return rule;
}

/** `a, b,c` as `["a", "b", "c"]`. */
export function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
