/**
 * A project file (`dispatch.toml`): the project's name and the sessions it is made of, read
 * with smol-toml and checked with a schema. Every problem is reported with the file and line
 * and, for a misspelt key or name, a did-you-mean; all of them at once, so one edit fixes
 * them. What is checked here needs no hub; the kinds and hosts are checked at `up` time
 * against the hub's own lists.
 */
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { basename, dirname, isAbsolute, resolve } from "node:path";
import { parse as parseToml, TomlError } from "smol-toml";
import { z } from "zod";
import { parseDuration } from "../../core/duration.js";
import { didYouMean } from "../../core/names.js";
import { HUB_HOST_ID } from "../../protocol/hosts.js";
import { ProjectName, SessionKind, SessionName } from "../../protocol/session.js";
import { UsageError } from "../exitCodes.js";
import { splitCommandLine } from "./commandLine.js";
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
      inLineOrder(
        parsed.error.issues.flatMap((issue) =>
          issue.code === "unrecognized_keys"
            ? issue.keys.map((key) => `${at([...keyPath(issue), key])}: ${unknownKey(issue, key, data)}`)
            : [`${at(keyPath(issue))}: ${describeIssue(issue, data, path)}`],
        ),
      ),
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

/** Problems (`file:line: ...`) one a line, top of the file first, as a person fixes them. */
function inLineOrder(problems: readonly string[]): string {
  const lineOf = (problem: string) => Number(/^.*?:(\d+)(?::\d+)?: /.exec(problem)?.[1] ?? 0);
  return [...problems].sort((a, b) => lineOf(a) - lineOf(b)).join("\n");
}

/**
 * A syntax error at its line and column. Found at the very end of the file (an array or inline
 * table never closed, a value missing), it is put on the last line: smol-toml says where it
 * noticed, past the end, and not where the unfinished construct opened.
 */
function syntaxError(text: string, path: string, err: TomlError): string {
  const detail = (err.message.split("\n")[0] ?? "").replace(/^Invalid TOML document: /, "");
  const lines = text.trimEnd().split(/\r?\n/);
  const last = lines.length;
  const end = (lines[last - 1] ?? "").length + 1;
  if (err.line < last || (err.line === last && err.column <= end)) {
    // smol-toml stops at the newline of a string left open, calling it a control character.
    const atEndOfLine = err.column === (lines[err.line - 1] ?? "").length + 1;
    const unclosed = atEndOfLine && /control character/.test(detail);
    return `${path}:${err.line}:${err.column}: ${unclosed ? `a string is not closed on this line (${detail}); add its closing quote` : detail}`;
  }
  return `${path}:${last}:${end}: the file ends before a value is complete (${detail}); close the '[' or '{' left open above, or finish the value`;
}

/** An unknown key in words, with a did-you-mean. */
function unknownKey(issue: z.core.$ZodIssue, key: string, data: unknown): string {
  const path = keyPath(issue);
  const known = path.length === 0 ? FILE_KEYS : SESSION_KEYS;
  const where = path.length === 0 ? "at the top" : `in ${sessionLabel(path, data)}`;
  const guess = didYouMean(key, known);
  return `unknown key '${key}' ${where}${guess ? ` — did you mean '${guess}'?` : ` (known: ${known.join(", ")})`}`;
}

/** Any other issue in words: "session 'web': ready_timeout: use a duration such as 30s, 2m". */
function describeIssue(issue: z.core.$ZodIssue, data: unknown, filePath: string): string {
  const path = keyPath(issue);
  const key = path.filter((p) => typeof p === "string").at(-1);
  if (issue.code === "invalid_type" && valueAt(data, path) === undefined) {
    if (path.length === 1 && key === "project") {
      return `'project' is missing: add a line such as \`project = "${suggestedName(filePath)}"\` at the top (the name its sessions are grouped under: a-z, 0-9, '-', '_')`;
    }
    return `'${String(key)}' is missing${path[0] === "session" ? ` in ${sessionLabel(path, data)}` : ""}`;
  }
  const inSession = path[0] === "session" && typeof path[1] === "number";
  const keys = inSession ? path.slice(2) : path;
  // A bad key in a table (`env`): the table, then the key and what is wrong with it.
  let what = issue.message;
  if (issue.code === "invalid_key") what = `'${String(keys.pop())}': ${issue.issues[0]?.message ?? what}`;
  return [inSession ? sessionLabel(path, data) : "", dotted(keys), what]
    .filter((part) => part !== "")
    .join(": ");
}

/** The project file's directory as a project name (`My App` → `my-app`), for a hint. */
function suggestedName(filePath: string): string {
  const name = basename(dirname(resolve(filePath)))
    .toLowerCase()
    .replace(/[^a-z0-9_-]+/g, "-")
    .replace(/^[-_]+|[-_]+$/g, "");
  return name || "my-project";
}

/** `env.PORT`, `after[1]`: a key path as written in TOML. */
function dotted(keys: readonly (string | number)[]): string {
  return keys.map((k, i) => (typeof k === "number" ? `[${k}]` : i > 0 ? `.${k}` : k)).join("");
}

function keyPath(issue: z.core.$ZodIssue): (string | number)[] {
  return issue.path.map((p) => (typeof p === "number" ? p : String(p)));
}

function valueAt(data: unknown, path: readonly (string | number)[]): unknown {
  let value = data;
  for (const key of path) value = (value as Record<string | number, unknown> | undefined)?.[key];
  return value;
}

function sessionLabel(path: readonly (string | number)[], data: unknown): string {
  const index = path[1];
  const sessions = (data as { session?: unknown }).session;
  const name =
    typeof index === "number" && Array.isArray(sessions)
      ? (sessions[index] as { name?: unknown } | undefined)?.name
      : undefined;
  return typeof name === "string" ? `session '${name}'` : `session #${Number(index) + 1}`;
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
