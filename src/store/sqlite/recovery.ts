/**
 * What to do with a damaged database: check it, move it aside, and recover every readable row
 * into a new file, with a report a person can read.
 *
 * Recovery uses the `sqlite3` command's `.recover`, which reads the file page by page and keeps
 * whatever rows survive, even from broken b-trees (Debian 12's command fails: it is built
 * without the `sqlite_dbpage` table `.recover` needs). Without it, rows are copied table by
 * table, skipping each row that cannot be read, up to a broken b-tree page. Either way every
 * event is then checked against its checksum and dropped when it does not verify, since both
 * copy whatever bytes a damaged page holds; the report names the dropped seqs. The damaged
 * file is kept next to the new one, never deleted.
 */
import { spawnSync } from "node:child_process";
import { chmodSync, existsSync, renameSync, rmSync, writeFileSync } from "node:fs";
import Database from "better-sqlite3";
import { DispatchError } from "../../core/errors.js";
import { describeOpenFailure, isStorageError } from "../storageErrors.js";
import { isDamage } from "./databaseFile.js";
import { SqliteStore } from "./SqliteStore.js";
import { removeSearchFile } from "./searchFile.js";
import { isSearchTable } from "./searchSchema.js";

/** What `openChecked` found and did. */
export interface OpenOutcome {
  store: SqliteStore;
  /** Set when the database was damaged and recovered: the report's text and where it is. */
  recovery?: { damagedFile: string; reportFile: string; report: string };
}

/** How many problems quick_check lists before it stops (bounds its time on a wrecked file). */
const QUICK_CHECK_MAX_ERRORS = 10;

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
    if (isStorageError(err))
      throw new DispatchError("storage_failing", describeOpenFailure(err, path), { cause: err });
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
  // The index may hold lines of events the recovered log will not have: rebuilt from the log.
  removeSearchFile(path);
  const copy: RowCopy = recoverWithCli(damagedFile, path)
    ? { method: "sqlite3 .recover", unreadableEvents: [] }
    : copyReadableRows(damagedFile, path);
  if (existsSync(path)) chmodSync(path, 0o600);
  // Migrations bring a recovered file (or an empty one, if nothing was readable) up to date.
  let store: SqliteStore | undefined;
  let outcome = `method: ${copy.method}`;
  let dropped: Dropped[] = copy.unreadableEvents.map((key) => ({ ...key, problem: "unreadable pages" }));
  try {
    store = SqliteStore.open(path);
    // Recovery copies whatever a page holds, garbage included: only events that verify stay.
    dropped = [...dropped, ...store.dropDamagedEvents()];
  } catch (err) {
    // What was recovered is too broken to use (a schema without its migration rows): keep it
    // for a person to look at and start empty rather than not at all.
    const unusable = `${damagedFile}.recovered`;
    store?.close();
    store = undefined;
    if (existsSync(path)) renameSync(path, unusable);
    dropped = [];
    outcome += `; the recovered file could not be used (${(err as Error).message}), kept as ${unusable}; started with an empty database`;
  }
  store ??= SqliteStore.open(path);
  const sessions = store.recoveredSummary();
  const known = new Set(sessions.map((s) => s.id));
  const orphans = dropped.filter((d) => !known.has(d.session));
  const lines = [
    `dispatch database recovery, ${now.toISOString()}`,
    `damaged file kept as: ${damagedFile}`,
    `problems found: ${problems.join("; ")}`,
    outcome,
    "",
    "recovered sessions (events kept, highest seq, damaged events dropped):",
    ...sessions.map(
      (s) =>
        `  ${s.name} (${s.id}): ${s.events} events, last seq ${s.lastSeq}` +
        droppedText(dropped.filter((d) => d.session === s.id)),
    ),
    ...(orphans.length > 0 ? [`  events of sessions no longer stored:${droppedText(orphans)}`] : []),
    "",
    "Each session's last seq now matches its newest kept event, so a host that still holds",
    "later events resends them. A dropped event before that seq stays missing (hosts resend only",
    "what comes after the last seq); its seq is listed above. Events that were neither readable",
    "nor held by a host are gone.",
  ];
  const report = `${lines.join("\n")}\n`;
  const reportFile = `${damagedFile}.report.txt`;
  writeFileSync(reportFile, report, { mode: 0o600 });
  return { store, recovery: { damagedFile, reportFile, report } };
}

/** An event recovery did not keep: unreadable, or read back but not verifying. */
interface Dropped {
  session: string;
  seq: number;
  problem: string;
}

/** "; dropped 2 damaged events: seq 8 (unreadable pages); seq 12 (bytes that …)", or "". */
function droppedText(dropped: readonly Dropped[]): string {
  if (dropped.length === 0) return "";
  const byProblem = new Map<string, number[]>();
  for (const d of dropped) byProblem.set(d.problem, [...(byProblem.get(d.problem) ?? []), d.seq]);
  const groups = [...byProblem].map(([problem, seqs]) => {
    const sorted = seqs.sort((a, b) => a - b);
    const shown = sorted.slice(0, REPORT_SEQS_MAX).join(", ");
    const more = sorted.length > REPORT_SEQS_MAX ? ` and ${sorted.length - REPORT_SEQS_MAX} more` : "";
    return `seq${sorted.length > 1 ? "s" : ""} ${shown}${more} (${problem})`;
  });
  const count = dropped.length;
  return `; dropped ${count} damaged event${count > 1 ? "s" : ""}: ${groups.join("; ")}`;
}

/** Seqs listed per session and problem in the report; the count says how many more. */
const REPORT_SEQS_MAX = 50;

/** `sqlite3 DAMAGED .recover | sqlite3 NEW`; false when the command is missing or fails. */
function recoverWithCli(damaged: string, target: string): boolean {
  const dump = spawnSync("sqlite3", [damaged, ".recover"], { maxBuffer: 1 << 30 });
  if (dump.error || dump.status !== 0) return false;
  rmSync(target, { force: true });
  const load = spawnSync("sqlite3", [target], { input: dump.stdout, maxBuffer: 1 << 20 });
  return !load.error && load.status === 0;
}

/** How the rows were copied, and the events found unreadable on the way. */
interface RowCopy {
  method: string;
  unreadableEvents: { session: string; seq: number }[];
}

/** The fallback: every table's rows, each read on its own so an unreadable one costs only itself. */
function copyReadableRows(damaged: string, target: string): RowCopy {
  rmSync(target, { force: true });
  const out = new Database(target);
  let source: Database.Database | undefined;
  const notes: string[] = [];
  const unreadableEvents: RowCopy["unreadableEvents"] = [];
  try {
    source = new Database(damaged, { readonly: true });
    const tables = source
      .prepare<[], { name: string; sql: string }>(
        "SELECT name, sql FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'",
      )
      .all();
    // The search index is derived from the events (an old file may still hold it): rebuilt.
    for (const table of tables.filter((t) => !isSearchTable(t.name))) {
      out.exec(table.sql);
      const copied = copyTable(source, out, table);
      if (copied.stoppedBy)
        notes.push(`${table.name}: stopped after ${copied.rows} rows (${copied.stoppedBy})`);
      if (table.name === "events") {
        for (const [session, seq] of copied.unreadable)
          unreadableEvents.push({ session: String(session), seq: Number(seq) });
      } else if (copied.unreadable.length > 0) {
        notes.push(`${table.name}: ${copied.unreadable.length} unreadable rows skipped`);
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
  } catch (err) {
    notes.push(`schema unreadable (${(err as Error).message}); starting empty`);
  } finally {
    source?.close();
    out.close();
  }
  return { method: `row copy${notes.length > 0 ? ` (${notes.join("; ")})` : ""}`, unreadableEvents };
}

/**
 * Copies one table in its b-tree order. A row that cannot be read (its overflow page is broken)
 * is skipped and the copy resumes after it: OFFSET steps over cells without reading them,
 * where a seek by key would compare against the broken row again. When even stepping fails
 * (a broken b-tree page), the table ends there.
 */
function copyTable(
  source: Database.Database,
  out: Database.Database,
  table: { name: string; sql: string },
): { rows: number; unreadable: unknown[][]; stoppedBy?: string } {
  const quoted = `"${table.name}"`;
  const order = (
    /WITHOUT\s+ROWID/i.test(table.sql)
      ? source
          .prepare<[], { name: string; pk: number }>(
            `SELECT name, pk FROM pragma_table_info('${table.name}')`,
          )
          .all()
          .filter((c) => c.pk > 0)
          .sort((a, b) => a.pk - b.pk)
          .map((c) => `"${c.name}"`)
      : ["rowid"]
  ).join(", ");
  const rowsFrom = source.prepare<[number], Record<string, unknown>>(
    `SELECT * FROM ${quoted} ORDER BY ${order} LIMIT -1 OFFSET ?`,
  );
  const keyAt = source
    .prepare<[number]>(`SELECT ${order} FROM ${quoted} ORDER BY ${order} LIMIT 1 OFFSET ?`)
    .raw();
  let insert: Database.Statement | undefined;
  const result: { rows: number; unreadable: unknown[][]; stoppedBy?: string } = { rows: 0, unreadable: [] };
  out.transaction(() => {
    for (let position = 0; ; ) {
      try {
        for (const row of rowsFrom.iterate(position)) {
          const columns = Object.keys(row);
          insert ??= out.prepare(
            `INSERT OR IGNORE INTO ${quoted} (${columns.map((c) => `"${c}"`).join(",")}) VALUES (${columns.map(() => "?").join(",")})`,
          );
          insert.run(...Object.values(row));
          result.rows++;
          position++;
        }
        return;
      } catch (err) {
        // The row at `position` is unreadable: name it by its key (read from the cell, never
        // from an overflow page) and go on after it; no key means the b-tree itself is broken.
        let key: unknown[] | undefined;
        try {
          key = keyAt.get(position) as unknown[] | undefined;
        } catch {
          // Stepping to the row fails too: reported below as where the table stopped.
        }
        if (!key) {
          result.stoppedBy = (err as Error).message;
          return;
        }
        result.unreadable.push(key);
        position++;
      }
    }
  })();
  return result;
}
