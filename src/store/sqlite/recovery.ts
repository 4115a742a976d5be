/**
 * What to do with a damaged database: check it, move it aside, and recover every readable row
 * into a new file, with a report a person can read.
 *
 * Recovery uses the `sqlite3` command's `.recover` (Debian's `sqlite3` package), which reads
 * the file page by page and keeps whatever rows survive, even from broken b-trees. Without the
 * command, rows are copied table by table until the first unreadable page of each table.
 * Either way the damaged file is kept next to the new one, never deleted.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { SqliteStore } from "./SqliteStore.js";
import { createSearchSchema, isSearchTable } from "./searchSchema.js";

/** What `openChecked` found and did. */
export interface OpenOutcome {
  store: SqliteStore;
  /** Set when the database was damaged and recovered: the report's text and where it is. */
  recovery?: { damagedFile: string; reportFile: string; report: string };
}

/** How many problems quick_check lists before it stops (bounds its time on a wrecked file). */
const QUICK_CHECK_MAX_ERRORS = 10;

/** SQLite codes that mean the file is not a sound database (as opposed to a full disk). */
export function isDamage(err: unknown): boolean {
  return (
    err instanceof Database.SqliteError &&
    (err.code.startsWith("SQLITE_CORRUPT") || err.code === "SQLITE_NOTADB")
  );
}

/**
 * Opens the store after a bounded `PRAGMA quick_check`; a damaged database (it fails to open or
 * the check finds problems) is moved aside and recovered into a fresh file at `path`.
 */
export function openChecked(path: string, now = new Date()): OpenOutcome {
  let problems: string[];
  try {
    const store = SqliteStore.open(path);
    problems = store.check({ full: false, maxErrors: QUICK_CHECK_MAX_ERRORS });
    if (problems.length === 0) return { store };
    store.close();
  } catch (err) {
    if (!isDamage(err)) throw err;
    problems = [`${(err as Error).message} (${(err as { code: string }).code})`];
  }
  return { ...recoverDatabase(path, problems, now) };
}

/** Moves `path` aside and rebuilds it from what can be read; the new store is returned open. */
export function recoverDatabase(
  path: string,
  problems: string[],
  now = new Date(),
): Required<Pick<OpenOutcome, "store" | "recovery">> {
  const stamp = now.toISOString().replace(/[:.]/g, "-");
  const damagedFile = `${path}.damaged-${stamp}`;
  for (const suffix of ["", "-wal", "-shm"]) {
    if (existsSync(path + suffix)) renameSync(path + suffix, damagedFile + suffix);
  }
  const method = recoverWithCli(damagedFile, path) ? "sqlite3 .recover" : copyReadableRows(damagedFile, path);
  if (existsSync(path)) chmodSync(path, 0o600);
  // Migrations bring a recovered file (or an empty one, if nothing was readable) up to date.
  let store: SqliteStore;
  let outcome = `method: ${method}`;
  try {
    store = SqliteStore.open(path);
  } catch (err) {
    // What was recovered is too broken to use (a schema without its migration rows): keep it
    // for a person to look at and start empty rather than not at all.
    const unusable = `${damagedFile}.recovered`;
    if (existsSync(path)) renameSync(path, unusable);
    store = SqliteStore.open(path);
    outcome += `; the recovered file could not be used (${(err as Error).message}), kept as ${unusable}; started with an empty database`;
  }
  const lines = [
    `dispatch database recovery, ${now.toISOString()}`,
    `damaged file kept as: ${damagedFile}`,
    `problems found: ${problems.join("; ")}`,
    outcome,
    "",
    "recovered sessions (events kept, highest seq):",
    ...store
      .recoveredSummary()
      .map((s) => `  ${s.name} (${s.id}): ${s.events} events, last seq ${s.lastSeq}`),
    "",
    "Each session's last seq now matches its newest readable event, so a host that still holds",
    "later events resends them. Events that were neither readable nor held by a host are gone.",
  ];
  const report = `${lines.join("\n")}\n`;
  const reportFile = `${damagedFile}.report.txt`;
  writeFileSync(reportFile, report, { mode: 0o600 });
  return { store, recovery: { damagedFile, reportFile, report } };
}

/** `sqlite3 DAMAGED .recover | sqlite3 NEW`; false when the command is missing or fails. */
function recoverWithCli(damaged: string, target: string): boolean {
  const dump = spawnSync("sqlite3", [damaged, ".recover"], { maxBuffer: 1 << 30 });
  if (dump.error || dump.status !== 0) return false;
  rmSync(target, { force: true });
  const load = spawnSync("sqlite3", [target], { input: dump.stdout, maxBuffer: 1 << 20 });
  return !load.error && load.status === 0;
}

/** The fallback: every table's rows in rowid order, up to the first unreadable page. */
function copyReadableRows(damaged: string, target: string): string {
  rmSync(target, { force: true });
  const out = new Database(target);
  let source: Database.Database | undefined;
  const notes: string[] = [];
  try {
    source = new Database(damaged, { readonly: true });
    const tables = source
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    // The search index is derived from the events: recreated empty below, rebuilt by its worker.
    for (const table of tables.filter((t) => !isSearchTable(t.name))) {
      out.exec(table.sql);
      let copied = 0;
      try {
        for (const row of source.prepare(`SELECT * FROM "${table.name}"`).iterate()) {
          const values = row as Record<string, unknown>;
          const columns = Object.keys(values);
          out
            .prepare(
              `INSERT OR IGNORE INTO "${table.name}" (${columns.map((c) => `"${c}"`).join(",")}) VALUES (${columns.map(() => "?").join(",")})`,
            )
            .run(...Object.values(values));
          copied++;
        }
      } catch (err) {
        notes.push(`${table.name}: stopped after ${copied} rows (${(err as Error).message})`);
      }
    }
    // Indexes and triggers of the copied tables (lookups stay fast; none of them holds data).
    const extras = source
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type IN ('index', 'trigger') AND sql IS NOT NULL",
      )
      .all();
    for (const extra of extras) {
      if (isSearchTable(extra.name)) continue;
      try {
        out.exec(extra.sql);
      } catch (err) {
        notes.push(`${extra.name} not recreated (${(err as Error).message})`);
      }
    }
    createSearchSchema(out);
  } catch (err) {
    notes.push(`schema unreadable (${(err as Error).message}); starting empty`);
  } finally {
    source?.close();
    out.close();
  }
  return `row copy${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`;
}
