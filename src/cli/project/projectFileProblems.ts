/**
 * A project file's problems in words a person fixes them by: the line, the session, the key,
 * what it should hold as written in TOML, and a did-you-mean (or what a compose file's key is
 * called here).
 */
import { basename, dirname, resolve } from "node:path";
import type { TomlError } from "smol-toml";
import type { z } from "zod";
import { didYouMean, nameFrom } from "../../core/names.js";

/** What the wording needs of the file: its parsed data, path, key lines and known keys. */
export interface FileContext {
  data: unknown;
  path: string;
  /** `file:line` of a key path. */
  at: (where: readonly (string | number)[]) => string;
  fileKeys: readonly string[];
  sessionKeys: readonly string[];
}

/** Every schema issue as a `file:line: ...` problem, top of the file first. */
export function schemaProblems(issues: readonly z.core.$ZodIssue[], file: FileContext): string {
  return inLineOrder(
    issues.flatMap((issue) =>
      issue.code === "unrecognized_keys"
        ? issue.keys.map((key) => `${file.at([...keyPath(issue), key])}: ${unknownKey(issue, key, file)}`)
        : [`${file.at(keyPath(issue))}: ${describeIssue(issue, file.data, file.path)}`],
    ),
  );
}

/** Problems (`file:line: ...`) one a line, top of the file first, as a person fixes them. */
export function inLineOrder(problems: readonly string[]): string {
  const lineOf = (problem: string) => Number(/^.*?:(\d+)(?::\d+)?: /.exec(problem)?.[1] ?? 0);
  return [...problems].sort((a, b) => lineOf(a) - lineOf(b)).join("\n");
}

/**
 * A syntax error at its line and column. Found at the very end of the file (an array or inline
 * table never closed, a value missing), it is put on the last line: smol-toml says where it
 * noticed, past the end, and not where the unfinished construct opened.
 */
export function syntaxError(text: string, path: string, err: TomlError): string {
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

/**
 * Keys a person brings from a compose file (docker compose, Procfile managers), which edit
 * distance does not find: what the session table calls the same thing, and how it differs.
 */
const COMPOSE_KEYS: Readonly<Record<string, string>> = {
  depends_on: "'after' (a session name or a list; it starts once those are ready)",
  environment: "'env' (a table: env = { PORT = \"3000\" })",
  working_dir: "'cwd' (relative to this file)",
  healthcheck: "'ready' (a regular expression its output must match)",
  image: "'kind' (a terminal unless it says another) with 'command'",
  entrypoint: "'command' (a string split into words, or a list)",
};

/** An unknown key in words, with a did-you-mean. */
function unknownKey(issue: z.core.$ZodIssue, key: string, file: FileContext): string {
  const { data } = file;
  const path = keyPath(issue);
  const known = path.length === 0 ? file.fileKeys : file.sessionKeys;
  const where = path.length === 0 ? "at the top" : `in ${sessionLabel(path, data)}`;
  const meant = path.length > 0 && Object.hasOwn(COMPOSE_KEYS, key) ? COMPOSE_KEYS[key] : undefined;
  if (meant) return `unknown key '${key}' ${where} — dispatch.toml calls it ${meant}`;
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
  const expected = expectedForm(keys);
  const emptyList = issue.code === "too_small" && listProblem(valueAt(data, path)) === "an empty list";
  if ((issue.code === "invalid_type" || issue.code === "invalid_union" || emptyList) && expected) {
    what = `${expected}, not ${listProblem(valueAt(data, path)) ?? tomlType(valueAt(data, path))}`;
  }
  if (issue.code === "invalid_key") what = `'${String(keys.pop())}': ${issue.issues[0]?.message ?? what}`;
  return [inSession ? sessionLabel(path, data) : "", dotted(keys), what]
    .filter((part) => part !== "")
    .join(": ");
}

/**
 * What a key of the wrong type should hold, said the way it is written in TOML (zod's
 * "expected string, received object" names JavaScript's types, not the file's).
 */
const VALUE_FORMS: Readonly<Record<string, string>> = {
  ready: 'a regular expression in quotes, matched against the session\'s output (ready = "listening on")',
  ready_timeout: 'a duration in quotes (ready_timeout = "60s")',
  command: 'a string split into words, or a list (command = ["sh", "-c", "npm start"])',
  after: 'a session name or a list of them (after = ["db"])',
  env: 'a table (env = { PORT = "3000" })',
  cwd: 'a directory in quotes (cwd = "web")',
  host: 'a host name in quotes (host = "local")',
  name: 'a name in quotes (name = "web")',
  kind: 'a kind in quotes (kind = "terminal")',
  project: 'a name in quotes (project = "my-app")',
};

/** What the key at `keys` (inside a session, or at the top) should hold; undefined if unknown. */
function expectedForm(keys: readonly (string | number)[]): string | undefined {
  const [first, second] = keys;
  if (first === "env" && typeof second === "string" && keys.length === 2) {
    return `a string in quotes (${second} = "…")`;
  }
  if (first === "after" && typeof second === "number") return 'a session name in quotes (after = ["db"])';
  return keys.length === 1 && typeof first === "string" && Object.hasOwn(VALUE_FORMS, first)
    ? VALUE_FORMS[first]
    : undefined;
}

/** For a list of the wrong shape: which item is wrong ("a list whose item 2 is a number"). */
function listProblem(value: unknown): string | undefined {
  if (!Array.isArray(value)) return undefined;
  if (value.length === 0) return "an empty list";
  const index = value.findIndex((item) => typeof item !== "string");
  return index < 0 ? undefined : `a list whose item ${index + 1} is ${tomlType(value[index])}`;
}

/** A parsed TOML value's type in the file's own words. */
function tomlType(value: unknown): string {
  if (Array.isArray(value)) return "a list";
  if (value instanceof Date) return "a date";
  if (value !== null && typeof value === "object") return "a table";
  if (typeof value === "string") return "a string";
  if (typeof value === "boolean") return "true or false";
  return typeof value === "number" || typeof value === "bigint" ? "a number" : "a value of another type";
}

/** The project file's directory as a project name (`My App` → `my-app`), for a hint. */
function suggestedName(filePath: string): string {
  return nameFrom(basename(dirname(resolve(filePath)))) ?? "my-project";
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
