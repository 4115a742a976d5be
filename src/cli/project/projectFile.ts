/**
 * A project file (`dispatch.toml`): the project's name and the sessions it is made of, read
 * with smol-toml and checked with a schema. Every problem is reported with the file and line
 * and, for a misspelt key or name, a did-you-mean; all of them at once, so one edit fixes
 * them. What is checked here needs no hub; the kinds and hosts are checked at `up` time
 * against the hub's own lists.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { dirname, isAbsolute, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import { parseDuration } from "../../core/duration.js";
import { didYouMean } from "../../core/names.js";
import { HUB_HOST_ID } from "../../protocol/hosts.js";
import { ProjectName, SessionKind, SessionName } from "../../protocol/session.js";
import { UsageError } from "../exitCodes.js";
import { splitCommandLine } from "./commandLine.js";
import { inLineOrder, schemaProblems, syntaxError } from "./projectFileProblems.js";
import { TomlLines } from "./tomlLines.js";

export const PROJECT_FILE = "dispatch.toml";
/** How long `up` waits for a `ready` pattern unless the session says otherwise. */
export const DEFAULT_READY_TIMEOUT_MS = 30_000;

const EnvName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "use letters, digits and '_'");
const Duration = z.string().refine((text) => {
  try {
    parseDuration(text);
    return true;
  } catch {
    return false;
  }
}, "use a duration such as 30s, 2m");

const SessionTable = z
  .object({
    name: SessionName,
    kind: SessionKind.default("terminal"),
    /** argv, or one string split into words (no shell). Absent: the kind's default (a shell). */
    command: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
    /** Relative to the project file's directory. */
    cwd: z.string().min(1).optional(),
    env: z.record(EnvName, z.string()).default({}),
    host: z.string().min(1).optional(),
    /** A regular expression; the session is ready once its output matches. */
    ready: z.string().min(1).optional(),
    ready_timeout: Duration.optional(),
    after: z.union([SessionName, z.array(SessionName)]).optional(),
    /** The kind's own create options (an agent's profile, an editor's file). */
    options: z.record(z.string(), z.unknown()).optional(),
  })
  .strict();

const FileSchema = z
  .object({
    project: ProjectName,
    /** Host for sessions that name none (default: `local`). */
    host: z.string().min(1).optional(),
    session: z.array(SessionTable).default([]),
  })
  .strict();

const SESSION_KEYS = Object.keys(SessionTable.shape);
const FILE_KEYS = Object.keys(FileSchema.shape);

export interface DeclaredSession {
  name: string;
  kind: string;
  command: string[];
  /** Absolute. */
  cwd: string;
  env: Record<string, string>;
  host: string;
  ready: RegExp | undefined;
  readyTimeoutMs: number;
  after: string[];
  options: Record<string, unknown> | undefined;
  /** Where the session's table starts in the file. */
  line: number;
  /** Digest of what the session is started from: a changed digest means restart it. */
  declaration: string;
}

export interface ProjectFile {
  path: string;
  name: string;
  sessions: DeclaredSession[];
  /** Where each key is written, for errors found later (unknown kinds and hosts). */
  lines: TomlLines;
}

/** Reads and checks a project file; throws a `UsageError` listing every problem. */
export function loadProjectFile(path: string): ProjectFile {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    throw new UsageError(
      code === "ENOENT"
        ? `no project file at ${path}; write one with \`dispatch init\``
        : `cannot read ${path}: ${(err as Error).message}`,
    );
  }
  return parseProjectFile(text, path);
}

export function parseProjectFile(text: string, path: string): ProjectFile {
  let data: unknown;
  try {
    data = parseToml(text);
  } catch (err) {
    if (err instanceof TomlError) throw new UsageError(syntaxError(text, path, err));
    throw new UsageError(`${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  const lines = new TomlLines(text);
  const at = (where: readonly (string | number)[]) => {
    const line = lines.lineOf(where);
    return `${path}${line ? `:${line}` : ""}`;
  };
  const parsed = FileSchema.safeParse(data);
  if (!parsed.success) {
    throw new UsageError(
      schemaProblems(parsed.error.issues, { data, path, at, fileKeys: FILE_KEYS, sessionKeys: SESSION_KEYS }),
    );
  }
  const file = parsed.data;
  const dir = dirname(resolve(path));
  const problems: string[] = [];
  const names = file.session.map((s) => s.name);
  const sessions: DeclaredSession[] = [];
  file.session.forEach((table, index) => {
    const where = (key?: string) => at(key ? ["session", index, key] : ["session", index]);
    if (names.indexOf(table.name) !== index) {
      problems.push(`${where("name")}: a second session named '${table.name}'; session names must differ`);
    }
    let command: string[] = [];
    if (typeof table.command === "string") {
      const split = splitCommandLine(table.command);
      if ("error" in split) problems.push(`${where("command")}: ${split.error}`);
      else command = split.argv;
    } else if (table.command) {
      command = table.command;
    }
    let ready: RegExp | undefined;
    if (table.ready !== undefined) {
      try {
        ready = new RegExp(table.ready, "m");
      } catch (err) {
        problems.push(`${where("ready")}: not a regular expression: ${(err as Error).message}`);
      }
    }
    const after =
      table.after === undefined ? [] : typeof table.after === "string" ? [table.after] : table.after;
    for (const other of after) {
      if (other === table.name) problems.push(`${where("after")}: '${table.name}' cannot wait for itself`);
      else if (!names.includes(other)) {
        const guess = didYouMean(other, names);
        problems.push(
          `${where("after")}: no session '${other}' in this project${guess ? ` — did you mean '${guess}'?` : ""}`,
        );
      }
    }
    const resolved = {
      kind: table.kind,
      command,
      cwd: table.cwd === undefined ? dir : isAbsolute(table.cwd) ? table.cwd : resolve(dir, table.cwd),
      env: table.env,
      host: table.host ?? file.host ?? HUB_HOST_ID,
      options: table.options,
    };
    sessions.push({
      ...resolved,
      name: table.name,
      ready,
      readyTimeoutMs: table.ready_timeout ? parseDuration(table.ready_timeout) : DEFAULT_READY_TIMEOUT_MS,
      after,
      line: lines.lineOf(["session", index]) ?? 0,
      declaration: digest(resolved),
    });
  });
  if (problems.length > 0) throw new UsageError(inLineOrder(problems));
  return { path, name: file.project, sessions, lines };
}

/** A short, stable digest of a value (object keys sorted). */
function digest(value: unknown): string {
  return createHash("sha256").update(canonical(value)).digest("hex").slice(0, 16);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(",")}]`;
  if (value && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
