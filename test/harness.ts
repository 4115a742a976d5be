import { type ChildProcess, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { expect } from "vitest";
import { ClientSocket } from "../src/cli/ClientSocket.js";
import { BIN, type CliOptions, type CliResult, cleanEnv, REPO_ROOT, runCli } from "./cliProcess.js";
import { OwnedProcesses, runsInHome } from "./ownedProcesses.js";

export { BIN, type CliOptions, type CliResult, cleanEnv, REPO_ROOT, runCli } from "./cliProcess.js";

const POLL_INTERVAL_MS = 25;
/** How long `stop()` waits for each process it stops (`dispatch stop` waits 10 s). */
const STOP_WAIT_MS = 10_000;
/** How often `stop()` looks whether a process it stopped is gone (`dispatch stop` too). */
const STOP_POLL_MS = 5;

export interface HubHandle {
  /** The temporary DISPATCH_HOME. */
  home: string;
  /** Current port and URL (re-read from hub.json, so they follow a `dispatch start` in the test). */
  readonly port: number;
  readonly url: string;
  /** The access key (DISPATCH_KEY when given, else the key file the hub generated). */
  key: string;
  /** The environment every `cli()` call runs with: DISPATCH_HOME plus the options' env. */
  env: Record<string, string>;
  /** fetch against the hub with the bearer key; `path` starts with `/`. */
  api(path: string, init?: RequestInit): Promise<Response>;
  /** Runs `node bin/dispatch.js ...args` against this hub. */
  cli(args: string[], options?: CliOptions): Promise<CliResult>;
  /** A client-protocol connection with hello done; closed by `stop()`. */
  socket(): Promise<ClientSocket>;
  /** Pids of the hub and host daemon right now, from their pid files. */
  /** The running processes' pids; `supervisor` once `dispatch start` ran (it restarts a killed hub). */
  pids(): { hub?: number; host?: number; supervisor?: number };
  /** What `dispatch stop --all` does, SIGKILL for anything left, then removes the home. Idempotent. */
  stop(): Promise<void>;
}

/** Each hub not stopped yet, with the processes its home started. */
const live = new Map<HubHandle, OwnedProcesses>();

export async function startHub(
  options: {
    env?: Record<string, string>;
    /** A data directory the caller owns (kept at stop). */
    home?: string;
  } = {},
): Promise<HubHandle> {
  if (!existsSync(join(REPO_ROOT, "dist", "src", "cli", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` before the tests");
  }
  const home = options.home ?? mkdtempSync(join(tmpdir(), "dispatch-test-"));
  // HOME is the test's own: shells in test sessions must not run the developer's dotfiles
  // (a slow or locked ~/.bashrc would make every default-shell test wait on it).
  // DISPATCH_TEST_LOG_LEVEL sets the hub's and host's log level (the test env drops DISPATCH_*).
  const level = process.env.DISPATCH_TEST_LOG_LEVEL;
  const env = cleanEnv({
    DISPATCH_HOME: home,
    HOME: home,
    ...(level ? { DISPATCH_LOG_LEVEL: level } : {}),
    ...options.env,
  });
  const paths = {
    hubInfo: join(home, "hub.json"),
    hubPid: join(home, "hub.pid"),
    hostPid: join(home, "host.pid"),
    supervisorPid: join(home, "supervisor.pid"),
    key: join(home, "access.key"),
  };
  const sockets = new Set<ClientSocket>();
  /** Every process seen, so a hub or host restarted during the test is killed too. */
  const owned = new OwnedProcesses(home);
  let last = { port: 0, url: "" };
  let stopping: Promise<void> | undefined;

  const readInfo = (): { port: number; url: string } | undefined => {
    try {
      const info = JSON.parse(readFileSync(paths.hubInfo, "utf8")) as {
        pid: number;
        port: number;
        url: string;
      };
      owned.note(info.pid);
      last = { port: info.port, url: info.url };
      return last;
    } catch {
      // No hub.json: the hub is stopped (or not yet up); keep the last known address.
      return undefined;
    }
  };
  const pids = () => {
    const hub = readPid(paths.hubPid);
    const host = readPid(paths.hostPid);
    const supervisor = readPid(paths.supervisorPid);
    if (hub) owned.note(hub);
    if (host) owned.note(host);
    return { ...(hub ? { hub } : {}), ...(host ? { host } : {}), ...(supervisor ? { supervisor } : {}) };
  };

  const handle: HubHandle = {
    home,
    env,
    key: "",
    get port() {
      readInfo();
      return last.port;
    },
    get url() {
      readInfo();
      return last.url;
    },
    api(path, init = {}) {
      const headers = new Headers(init.headers);
      headers.set("authorization", `Bearer ${handle.key}`);
      if (init.body !== undefined && !headers.has("content-type"))
        headers.set("content-type", "application/json");
      return fetch(`${handle.url}${path}`, { ...init, headers });
    },
    cli(args, cliOptions) {
      // A poll still running after its test timed out must not auto-start a hub in a home
      // that cleanup removed (it would outlive the run, on the default port).
      if (stopping && !options.home)
        return Promise.reject(new Error(`dispatch ${args.join(" ")}: this test's hub was stopped`));
      return runCli(args, env, cliOptions);
    },
    async socket() {
      const socket = await ClientSocket.connect({ url: handle.url, key: handle.key, client: "test" });
      sockets.add(socket);
      socket.onClose(() => sockets.delete(socket));
      return socket;
    },
    pids,
    stop() {
      stopping ??= (async () => {
        await Promise.all([...sockets].map((socket) => socket.close()));
        pids();
        await stopAsCli(paths, owned);
        pids();
        for (const pid of processesOf(home)) owned.note(pid);
        owned.killAll();
        await waitFor(() => owned.running().length === 0, { timeoutMs: 5_000 }).catch(() => undefined);
        keepLogs(home);
        if (!options.home) rmSync(home, { recursive: true, force: true });
        live.delete(handle);
      })();
      return stopping;
    },
  };
  live.set(handle, owned);

  const started = await runCli(["start", "--port", "0"], env);
  pids();
  if (started.code !== 0 || !readInfo()) {
    const logs = ["hub.out", "hub.log", "host.out", "host.log"].map(
      (file) => `--- ${file}\n${tailOf(join(home, file))}`,
    );
    await handle.stop();
    throw new Error(
      `dispatch start failed (code ${started.code})\nstdout: ${started.stdout}\nstderr: ${started.stderr}\n${logs.join("\n")}`,
    );
  }
  handle.key = options.env?.DISPATCH_KEY ?? readFileSync(paths.key, "utf8").trim();
  return handle;
}

/** Stops every hub this process started and has not stopped yet. For afterAll. */
export async function cleanupAll(): Promise<void> {
  await Promise.all([...live.keys()].map((handle) => handle.stop()));
}

/** How many times `waitFor` checks before it gives up, even past its deadline. */
const MIN_TRIES = 3;

/**
 * Polls `check` until it returns something other than undefined, null or false, and resolves
 * with that value; rejects after `timeoutMs` (default 10 s) and at least `MIN_TRIES` checks,
 * with `message` and the last error.
 */
export async function waitFor<T>(
  check: () => T | undefined | null | false | Promise<T | undefined | null | false>,
  options: { timeoutMs?: number; intervalMs?: number; message?: string } = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 10_000;
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  // A check that is itself slow (a CLI process on a loaded machine takes seconds to start) gets
  // a few tries however long they take: the deadline is for the condition, not the machine.
  for (let tries = 1; ; tries++) {
    try {
      const value = await check();
      if (value !== undefined && value !== null && value !== false) return value;
    } catch (err) {
      lastError = err;
    }
    if (Date.now() >= deadline && tries >= MIN_TRIES) {
      const why = lastError instanceof Error ? `; last error: ${lastError.message}` : "";
      throw new Error(`waitFor: ${options.message ?? "condition"} not met within ${timeoutMs} ms${why}`);
    }
    await new Promise((r) => setTimeout(r, options.intervalMs ?? POLL_INTERVAL_MS));
  }
}

/**
 * With DISPATCH_TEST_KEEP_LOGS=DIR, a stopped hub's logs are copied to DIR/<home's name> before
 * its home goes: a failure seen once in a loop of runs can be read afterwards.
 */
function keepLogs(home: string): void {
  const keep = process.env.DISPATCH_TEST_KEEP_LOGS;
  if (!keep || !existsSync(home)) return;
  const into = join(keep, basename(home));
  mkdirSync(into, { recursive: true });
  for (const file of readdirSync(home).filter((name) => /\.(log|out)$/.test(name)))
    copyFileSync(join(home, file), join(into, file));
}

function tailOf(file: string, lines = 15): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(none)";
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    // No pid file: that process is not running.
    return undefined;
  }
}

/**
 * Every process whose environment names this home: also a hub that never wrote its pid file
 * (failed start) and a host it started. Linux only; elsewhere the pid files must do.
 */
function processesOf(home: string): number[] {
  let entries: string[];
  try {
    entries = readdirSync("/proc").filter((entry) => /^\d+$/.test(entry));
  } catch {
    return [];
  }
  return entries.map(Number).filter((pid) => pid !== process.pid && runsInHome(pid, home));
}

/**
 * What `dispatch stop --all` does, without booting Node for it (half a second of CPU per hub,
 * over a hundred hubs a run): SIGTERM to the host and the supervisor at once (the host tells the
 * hub it stops on purpose, so the hub starts no other), the supervisor stopping the hub (or it
 * would restart it), then the hub itself if it still runs; each is waited for (bounded, as
 * `stop` does). Whatever is left gets SIGKILL after.
 */
async function stopAsCli(
  paths: { supervisorPid: string; hubPid: string; hostPid: string },
  owned: OwnedProcesses,
): Promise<void> {
  const host = stopOne(paths.hostPid, owned);
  await stopOne(paths.supervisorPid, owned);
  await stopOne(paths.hubPid, owned);
  await host;
}

/** SIGTERM to the process `pidFile` names, if this home owns it, and its end waited for. */
async function stopOne(pidFile: string, owned: OwnedProcesses): Promise<void> {
  const pid = readPid(pidFile);
  if (pid === undefined) return;
  owned.note(pid);
  if (!owned.owns(pid)) return;
  try {
    process.kill(pid, "SIGTERM");
  } catch {
    // Already gone.
    return;
  }
  await waitFor(() => !owned.owns(pid), { timeoutMs: STOP_WAIT_MS, intervalMs: STOP_POLL_MS }).catch(
    () => undefined,
  );
}

// Last resort when a test run dies without afterAll: nothing stays running, no home stays behind.
process.on("exit", () => {
  for (const [handle, owned] of live) {
    handle.pids();
    for (const pid of processesOf(handle.home)) owned.note(pid);
    owned.killAll();
    rmSync(handle.home, { recursive: true, force: true });
  }
});

/** Every stored output byte of a session, as text, read page by page through the HTTP API. */
export async function storedOutput(h: HubHandle, name: string): Promise<string> {
  let after = 0;
  let text = "";
  for (;;) {
    const response = await h.api(`/api/sessions/${name}/events?after=${after}&limit=5000`);
    if (!response.ok) throw new Error(`events of ${name}: HTTP ${response.status} ${await response.text()}`);
    const page = (await response.json()) as {
      events: { seq: number; type: string; data: unknown }[];
      lastSeq: number;
    };
    for (const event of page.events) {
      if (event.type === "output") text += Buffer.from(event.data as string, "base64").toString("utf8");
      after = event.seq;
    }
    if (page.events.length === 0 || after >= page.lastSeq) return text;
  }
}

/**
 * How many lines a counter session printed (`NAME-1`, `NAME-2`, … in stored order); asserts
 * each number is stored exactly once, from 1, with no gap.
 */
export async function countedLines(h: HubHandle, name: string): Promise<number> {
  const text = await storedOutput(h, name);
  const numbers = [...text.matchAll(new RegExp(`${name}-(\\d+)\\r?\\n`, "g"))].map((m) => Number(m[1]));
  expect(numbers).toEqual(numbers.map((_, i) => i + 1));
  return numbers.length;
}

/** A JSON call to the hub's API: GET without a body, POST with one; status and parsed body. */
export async function apiCall(
  h: HubHandle,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await h.api(
    path,
    body === undefined ? {} : { method: "POST", body: JSON.stringify(body) },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** A `dispatch` command left running: the test signals it and reads what it printed so far. */
export interface RunningCli {
  child: ChildProcess;
  out: () => string;
  err: () => string;
  /** Its exit code, or the signal that ended it. */
  exit: Promise<number | string>;
}

/** `dispatch ARGS` against `h` as a child; in `children` until it ends (for the test's cleanup). */
export function runningCli(h: HubHandle, args: string[], children: Set<ChildProcess>): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], {
    env: h.env,
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    stdout += chunk;
  });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    stderr += chunk;
  });
  const exit = new Promise<number | string>((resolve) =>
    child.on("close", (code, signal) => {
      children.delete(child);
      resolve(code ?? String(signal));
    }),
  );
  return { child, out: () => stdout, err: () => stderr, exit };
}
