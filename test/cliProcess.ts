/**
 * Running the `dispatch` command as a child process, as a user would: shared by the test
 * harness (vitest runs it from source) and the benchmarks (run from `dist/`), so the
 * repository root is found by walking up to the package, not by a fixed relative path.
 */
import { spawn } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

function findRepoRoot(from: string): string {
  for (let dir = from; dir !== dirname(dir); dir = dirname(dir)) {
    const manifest = join(dir, "package.json");
    if (
      existsSync(manifest) &&
      (JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "dispatch"
    ) {
      return dir;
    }
  }
  throw new Error(`no dispatch package.json above ${from}`);
}

export const REPO_ROOT = findRepoRoot(dirname(fileURLToPath(import.meta.url)));
/** The `dispatch` command as installed: `bin/dispatch.js`, which loads `dist/`. */
export const BIN = join(REPO_ROOT, "bin", "dispatch.js");
/** A CLI call that takes longer than this is hung: it is killed and reported. */
const CLI_TIMEOUT_MS = 60_000;

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
  /** Wall time of the call. */
  ms: number;
}

export interface CliOptions {
  /** Extra environment on top of the given one. */
  env?: Record<string, string>;
  /** Written to the command's stdin, which is then closed. */
  input?: string;
  timeoutMs?: number;
  /** Working directory of the command (default: the repository). */
  cwd?: string;
}

/**
 * Left out of every child's environment: NODE_OPTIONS (a profiler flag there would follow every
 * child) and NODE_EXTRA_CA_CERTS, which Node parses at each boot before any code runs (65 ms of
 * CPU with Debian's bundle, over a quarter of a CLI call; the suite boots a few thousand Node
 * processes) while no test connects to a server it signs. A test about it sets its own.
 */
const NOT_INHERITED = new Set(["NODE_OPTIONS", "NODE_EXTRA_CA_CERTS"]);

/**
 * This process's environment without any dispatch setting (a developer's own hub must not
 * leak in) and without what `NOT_INHERITED` names.
 */
export function cleanEnv(extra: Record<string, string> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(process.env)) {
    if (value !== undefined && !name.startsWith("DISPATCH_") && !NOT_INHERITED.has(name)) env[name] = value;
  }
  return { ...env, ...extra };
}

/** Runs `node bin/dispatch.js ...args` with exactly `env`; never rejects on exit codes (a timeout gives -1). */
export function runCli(
  args: string[],
  env: Record<string, string>,
  options: CliOptions = {},
): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { ...env, ...options.env },
      cwd: options.cwd ?? REPO_ROOT,
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
      stderr += chunk;
    });
    const timeoutMs = options.timeoutMs ?? CLI_TIMEOUT_MS;
    const timer = setTimeout(() => {
      stderr += `\n[dispatch ${args.join(" ")} killed after ${timeoutMs} ms]`;
      child.kill("SIGKILL");
    }, timeoutMs);
    child.on("error", (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on("close", (code) => {
      clearTimeout(timer);
      resolvePromise({ code: code ?? -1, stdout, stderr, ms: performance.now() - started });
    });
    child.stdin.end(options.input ?? "");
  });
}
