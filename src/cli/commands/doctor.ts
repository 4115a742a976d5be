/**
 * `dispatch doctor [--repair]`: checks what the hub needs and says what to do about each
 * problem: the data directory's and files' modes, free space, the access key, the database's
 * full integrity check, the hub's storage status, the periodic backups, and every host's reachability. `--repair`
 * (hub stopped) moves a damaged database aside and recovers what is readable into a new one.
 * Exit code 1 when anything failed.
 */
import { accessSync, constants, existsSync, readdirSync, readFileSync, statfsSync, statSync } from "node:fs";
import { join } from "node:path";
import type { Command } from "commander";
import { z } from "zod";
import { dataHome, type HomePaths, homeFiles, homePaths } from "../../platform/home.js";
import { HostView } from "../../protocol/hosts.js";
import { backupReport } from "../backupReport.js";
import { HubClient } from "../HubClient.js";
import { formatBytes } from "../sessionTable.js";

/** Below this much free space, writes may start failing soon. */
const LOW_SPACE_BYTES = 256 * 1024 * 1024;

type Level = "ok" | "warn" | "FAIL";
interface Finding {
  level: Level;
  what: string;
  todo?: string;
}

export function registerDoctor(program: Command): void {
  program
    .command("doctor")
    .description("check the data directory, disk space, key, database integrity and hosts; say what to do")
    .option("--repair", "hub stopped: move a damaged database aside and recover what is readable")
    .action(async (options: { repair?: boolean }) => {
      const findings = await diagnose(homePaths(dataHome()), options.repair === true);
      for (const f of findings) {
        console.log(`${f.level.padEnd(4)}  ${f.what}`);
        if (f.todo) console.log(`      → ${f.todo}`);
      }
      if (findings.some((f) => f.level === "FAIL")) process.exitCode = 1;
    });
}

async function diagnose(paths: HomePaths, repair: boolean): Promise<Finding[]> {
  const findings: Finding[] = [];
  if (!existsSync(paths.home)) {
    return [
      { level: "warn", what: `no data directory at ${paths.home}`, todo: "`dispatch start` creates it" },
    ];
  }
  findings.push(...modes(paths), writable(paths), space(paths), key(paths));
  const client = HubClient.locate();
  const running = await client.health();
  if (running) {
    findings.push(...(await liveChecks(client)));
    if (repair)
      findings.push({
        level: "FAIL",
        what: "--repair needs the hub stopped",
        todo: "`dispatch stop`, then `dispatch doctor --repair`",
      });
  } else {
    findings.push(await offlineDatabase(paths, repair));
    findings.push({
      level: "warn",
      what: "the hub is not running: hosts not checked",
      todo: "`dispatch start`",
    });
  }
  const damaged = readdirSync(paths.home).filter((name) => name.endsWith(".report.txt"));
  for (const report of damaged) {
    findings.push({
      level: "warn",
      what: `a damaged database was recovered earlier: ${join(paths.home, report)}`,
      todo: "read the report; delete the .damaged-* files once you no longer need them",
    });
  }
  return findings;
}

function modes(paths: HomePaths): Finding[] {
  const wrong: string[] = [];
  if ((statSync(paths.home).mode & 0o777) !== 0o700) wrong.push(`${paths.home} (directory, want 0700)`);
  for (const file of homeFiles(paths)) {
    if (existsSync(file) && (statSync(file).mode & 0o077) !== 0) wrong.push(`${file} (want 0600)`);
  }
  if (wrong.length === 0) return [{ level: "ok", what: "data directory 0700, its files 0600" }];
  return [
    {
      level: "FAIL",
      what: `readable by others: ${wrong.join(", ")}`,
      todo: "`dispatch stop && dispatch start` tightens them, or chmod them yourself",
    },
  ];
}

/** The hub writes its database, logs and socket in the data directory: it must be writable. */
function writable(paths: HomePaths): Finding {
  try {
    accessSync(paths.home, constants.W_OK);
    return { level: "ok", what: "data directory writable" };
  } catch (err) {
    const { code, message } = err as NodeJS.ErrnoException;
    return {
      level: "FAIL",
      what: `the data directory cannot be written (${code ?? message})`,
      todo:
        code === "EROFS"
          ? "its file system is mounted read-only: remount it read-write, or point DISPATCH_HOME at a writable directory"
          : "give it back to the user who runs dispatch (chown, chmod 0700), or point DISPATCH_HOME at a writable directory",
    };
  }
}

function space(paths: HomePaths): Finding {
  const fs = statfsSync(paths.home);
  const free = fs.bavail * fs.bsize;
  const what = `${formatBytes(free)} free on the data directory's file system`;
  if (free < LOW_SPACE_BYTES) {
    return {
      level: free < 16 * 1024 * 1024 ? "FAIL" : "warn",
      what,
      todo: 'free space there: old backups, dispatch.db.before-restore-* and .damaged-* files; `dispatch gc` makes room inside the database but does not shrink it (docs/OPERATIONS.md, "Disk space"); the hub holds writes while the disk is full',
    };
  }
  return { level: "ok", what };
}

function key(paths: HomePaths): Finding {
  if (process.env.DISPATCH_KEY) return { level: "ok", what: "access key from DISPATCH_KEY" };
  if (existsSync(paths.key)) {
    // The hub reads the key at start and writes a new one over an empty file.
    let held = "";
    try {
      held = readFileSync(paths.key, "utf8").trim();
    } catch (err) {
      return {
        level: "FAIL",
        what: `cannot read the access key: ${(err as Error).message}`,
        todo: "fix its owner and mode (0600)",
      };
    }
    if (held.length > 0) return { level: "ok", what: `access key present (${paths.key})` };
    return {
      level: "warn",
      what: `the access key file is empty (${paths.key})`,
      todo: "the next `dispatch start` writes a new key; clients that kept the old one need the new one",
    };
  }
  return {
    level: "warn",
    what: "no access key yet",
    todo: "`dispatch start` creates one (or set DISPATCH_KEY)",
  };
}

async function liveChecks(client: HubClient): Promise<Finding[]> {
  const findings: Finding[] = [];
  const status = await client.status();
  if (status.storage && !status.storage.ok) {
    findings.push({
      level: "FAIL",
      what: `storage failing: ${status.storage.problem}`,
      todo: "free disk space; the hub resumes by itself",
    });
  }
  if (status.backups) {
    const report = backupReport(status.backups);
    findings.push(
      report.ok
        ? { level: "ok", what: `periodic backups ${report.what}` }
        : { level: "FAIL", what: `periodic backup ${report.what}`, todo: report.detail },
    );
  }
  const { problems } = z
    .object({ problems: z.array(z.string()) })
    .parse(await client.call("POST", "/api/storage/check", { full: true }));
  findings.push(databaseFinding(problems));
  const hosts = z.object({ hosts: z.array(HostView) }).parse(await client.call("GET", "/api/hosts")).hosts;
  for (const host of hosts) {
    if (host.status === "connected") {
      findings.push({
        level: host.health === "critical" ? "warn" : "ok",
        what: `host ${host.name}: connected, ${host.health}`,
      });
    } else {
      findings.push({
        level: "warn",
        what: `host ${host.name}: ${host.status}`,
        // Its sessions last heard running are kept by a plain cleanup: gone for good needs --force.
        todo: `start it again, or \`dispatch hosts cleanup ${host.name}${host.sessions.running > 0 ? " --force" : ""}\` if it is gone for good`,
      });
    }
  }
  return findings;
}

function databaseFinding(problems: string[]): Finding {
  if (problems.length === 0) return { level: "ok", what: "database integrity check passed" };
  return {
    level: "FAIL",
    what: `database damaged: ${problems.slice(0, 3).join("; ")}`,
    todo: "back up what you can (`dispatch backup FILE`), then `dispatch stop` and `dispatch doctor --repair`",
  };
}

async function offlineDatabase(paths: HomePaths, repair: boolean): Promise<Finding> {
  if (!existsSync(paths.db)) return { level: "ok", what: "no database yet (created at first start)" };
  const { SqliteStore } = await import("../../store/sqlite/SqliteStore.js");
  const { recoverDatabase } = await import("../../store/sqlite/recovery.js");
  const { isDamage } = await import("../../store/sqlite/databaseFile.js");
  const { describeOpenFailure, isStorageError } = await import("../../store/storageErrors.js");
  let problems: string[];
  try {
    using store = SqliteStore.open(paths.db);
    problems = store.check({ full: true });
  } catch (err) {
    // What keeps the hub from starting is what the doctor is asked about: a read-only file
    // system, another program's lock, a full disk. Said as a finding, with what to do.
    if (isStorageError(err)) {
      return { level: "FAIL", what: describeOpenFailure(err, paths.db) };
    }
    if (!isDamage(err)) throw err;
    problems = [(err as Error).message];
  }
  if (problems.length === 0) return databaseFinding(problems);
  if (!repair) {
    return {
      ...databaseFinding(problems),
      todo: "`dispatch doctor --repair` recovers every readable event into a new file",
    };
  }
  const { store, recovery } = recoverDatabase(paths.db, problems);
  store.close();
  console.log(recovery.report);
  return { level: "ok", what: `database recovered; the damaged file is kept as ${recovery.damagedFile}` };
}
