/**
 * Real hubs for the benchmarks, started the way a user starts one (`dispatch start --port 0`)
 * in a temporary DISPATCH_HOME with no DISPATCH_* setting inherited, driving the CLI through
 * `test/cliProcess.ts` as the test harness does, plus what benchmarks need: start-up time, RSS
 * from /proc and killing the session processes a killed host would leave behind.
 *
 * Nothing outlives the run: `stop()` runs `dispatch stop --all`, then SIGKILLs the hub, the
 * host and any of the host's descendants still alive; `stopAllHubs()` and an exit hook catch
 * the rest when a suite fails.
 */
import { spawn } from "node:child_process";
import {
  closeSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import { ClientSocket } from "../src/cli/ClientSocket.js";
import { BIN, type CliResult, cleanEnv, REPO_ROOT, runCli } from "../test/cliProcess.js";
import { sleep, waitUntil } from "./stats.js";

export { BIN, type CliResult, cleanEnv, REPO_ROOT, runCli } from "../test/cliProcess.js";

export interface BenchHub {
  home: string;
  env: Record<string, string>;
  key: string;
  /** Wall time of the `dispatch start` that brought the hub up (fresh home). */
  startMs: number;
  /** Re-read from hub.json, so it follows a restart on a new port. */
  readonly url: string;
  cli(args: string[], timeoutMs?: number): Promise<CliResult>;
  /** `dispatch start --port 0` again (after a `dispatch stop`); under `--cpu-prof` when profiling. */
  start(): Promise<CliResult>;
  /** A client connection, hello done; closed by `stop()`. */
  socket(): Promise<ClientSocket>;
  pids(): { hub?: number; host?: number };
  /** Resident set size in bytes of the hub and host right now (0 when not running). */
  rss(): { hub: number; host: number };
  stop(): Promise<void>;
}

const live = new Set<BenchHub>();

export interface StartOptions {
  /** Extra environment for the hub (and, through it, the host). */
  env?: Record<string, string>;
}

export async function startHub(options: StartOptions = {}): Promise<BenchHub> {
  if (!existsSync(join(REPO_ROOT, "dist", "src", "cli", "main.js"))) {
    throw new Error("dist/ is missing: run `npm run build` first");
  }
  const home = mkdtempSync(join(tmpdir(), "dispatch-bench-"));
  const env = cleanEnv({ DISPATCH_HOME: home, ...options.env });
  /** Every pid seen, with its start time, so a pid reused by an unrelated process is left alone. */
  const seen = new Map<number, string>();
  const sockets = new Set<ClientSocket>();
  let lastUrl = "";
  let stopping: Promise<void> | undefined;

  const pids = () => {
    const hub = readPid(join(home, "hub.pid"));
    const host = readPid(join(home, "host.pid"));
    for (const pid of [hub, host]) {
      if (pid === undefined) continue;
      for (const each of [pid, ...descendants(pid)]) {
        const started = startTime(each);
        if (started !== undefined) seen.set(each, started);
      }
    }
    return { ...(hub ? { hub } : {}), ...(host ? { host } : {}) };
  };

  const handle: BenchHub = {
    home,
    env,
    key: "",
    startMs: 0,
    get url() {
      try {
        lastUrl = (JSON.parse(readFileSync(join(home, "hub.json"), "utf8")) as { url: string }).url;
      } catch {
        // Between stop and start: keep the last known address.
      }
      return lastUrl;
    },
    cli: (args, timeoutMs) => runCli(args, env, { timeoutMs }),
    start: () => (profileDir ? serveProfiled(env, home, profileDir) : runCli(["start", "--port", "0"], env)),
    async socket() {
      const socket = await ClientSocket.connect({ url: handle.url, key: handle.key, client: "bench" });
      sockets.add(socket);
      socket.onClose(() => sockets.delete(socket));
      return socket;
    },
    pids,
    rss() {
      const { hub, host } = pids();
      return { hub: hub ? rssOf(hub) : 0, host: host ? rssOf(host) : 0 };
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all([...sockets].map((socket) => socket.close().catch(() => undefined)));
        pids();
        await runCli(["stop", "--all"], env, { timeoutMs: 30_000 }).catch(() => undefined);
        keepLogs(home);
        killAll(seen);
        for (let i = 0; i < 100 && [...seen].some(([pid, started]) => startTime(pid) === started); i++)
          await sleep(50);
        rmSync(home, { recursive: true, force: true });
        live.delete(handle);
      })();
      return stopping;
    },
  };
  live.add(handle);

  const started = await handle.start();
  handle.startMs = started.ms;
  if (stopping) {
    // Stopped (a signal) while `start` ran: what it started must go too.
    pids();
    await runCli(["stop", "--all"], env, { timeoutMs: 30_000 }).catch(() => undefined);
    killAll(seen);
    throw new Error("stopped while starting");
  }
  pids();
  if (started.code !== 0 || !handle.url) {
    const logs = ["hub.out", "hub.log", "host.out", "host.log"].map(
      (f) => `--- ${f}\n${tail(join(home, f), 8)}`,
    );
    await handle.stop();
    throw new Error(
      `dispatch start failed (code ${started.code}): ${started.stderr.trim()}\n${logs.join("\n")}`,
    );
  }
  // Cluster nodes share one owner key from the environment; a lone hub writes its own file.
  handle.key = options.env?.DISPATCH_KEY ?? readFileSync(join(home, "access.key"), "utf8").trim();
  return handle;
}

let profileDir: string | undefined;

/**
 * From now on, hubs run `node --cpu-prof` and write their profile to `dir` when they stop
 * (`--cpu-prof` is not allowed in NODE_OPTIONS, so the hub is spawned as `serve` directly).
 */
export function profileHubs(dir: string): void {
  profileDir = dir;
}

/** `dispatch serve` under `--cpu-prof`, detached like `dispatch start` does it; waits until healthy. */
async function serveProfiled(env: Record<string, string>, home: string, dir: string): Promise<CliResult> {
  const started = performance.now();
  const out = openSync(join(home, "hub.out"), "a", 0o600);
  const child = spawn(
    process.execPath,
    ["--cpu-prof", `--cpu-prof-dir=${dir}`, BIN, "serve", "--port", "0"],
    { env, cwd: home, detached: true, stdio: ["ignore", out, out] },
  );
  closeSync(out);
  child.unref();
  const healthy = async (): Promise<boolean> => {
    if (child.exitCode !== null) throw new Error(`dispatch serve exited with code ${child.exitCode}`);
    try {
      const info = JSON.parse(readFileSync(join(home, "hub.json"), "utf8")) as { url: string };
      return (await fetch(`${info.url}/api/health`)).ok;
    } catch {
      return false; // Not up yet.
    }
  };
  try {
    await waitUntil("the profiled hub to answer /api/health", healthy, 30_000);
    return { code: 0, stdout: "", stderr: "", ms: performance.now() - started };
  } catch (err) {
    return { code: 1, stdout: "", stderr: String(err), ms: performance.now() - started };
  }
}

/** Stops every hub not yet stopped (the end of a run, also after a failure). */
export async function stopAllHubs(): Promise<void> {
  await Promise.all([...live].map((hub) => hub.stop()));
}

// Last resort when the run dies: no hub, host or session process stays behind.
process.on("exit", () => {
  for (const hub of live) {
    const pids = Object.values(hub.pids());
    const all = [...pids, ...pids.flatMap(descendants)];
    killAll(new Map(all.map((pid) => [pid, startTime(pid) ?? ""])));
    rmSync(hub.home, { recursive: true, force: true });
  }
});

export function readPid(file: string): number | undefined {
  try {
    const pid = Number(readFileSync(file, "utf8").trim());
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    // No pid file: that process is not running.
    return undefined;
  }
}

/** VmRSS of a process in bytes; 0 when it is gone. */
export function rssOf(pid: number, field: "VmRSS" | "RssAnon" | "RssFile" = "VmRSS"): number {
  try {
    const match = new RegExp(`${field}:\\s+(\\d+)\\s+kB`).exec(readFileSync(`/proc/${pid}/status`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    // Gone.
    return 0;
  }
}

/**
 * Proportional set size (bytes, `/proc/PID/smaps_rollup`): each page shared with other
 * processes counts as its share. The node binary's pages, counted whole in the hub's and the
 * host's VmRSS each, count about once in their sum (less when other Node processes run).
 */
export function pssOf(pid: number): number {
  try {
    const match = /^Pss:\s+(\d+)\s+kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, "utf8"));
    return match ? Number(match[1]) * 1024 : 0;
  } catch {
    // Gone, or a kernel without smaps_rollup.
    return 0;
  }
}

/** Every descendant pid (children, grandchildren...) from /proc. */
export function descendants(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const current = queue.shift() as number;
    let tasks: string[] = [];
    try {
      tasks = readdirSync(`/proc/${current}/task`);
    } catch {
      continue;
    }
    for (const task of tasks) {
      let children = "";
      try {
        children = readFileSync(`/proc/${current}/task/${task}/children`, "utf8");
      } catch {
        continue;
      }
      for (const child of children.split(" ").filter(Boolean).map(Number)) {
        out.push(child);
        queue.push(child);
      }
    }
  }
  return out;
}

/** Start time (clock ticks since boot) of a live, non-zombie process; undefined when gone. */
export function startTime(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    // Fields after `comm` (which may hold spaces): state is the first, starttime the 20th.
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return fields[0] === "Z" ? undefined : fields[19];
  } catch {
    return undefined;
  }
}

/** SIGKILL for each pid still running as the same process it was when seen. */
function killAll(pids: Map<number, string>): void {
  for (const [pid, started] of pids) {
    if (startTime(pid) !== started) continue;
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // Already gone: the normal case after `dispatch stop --all`.
    }
  }
}

/** Where the logs of every hub of the run are kept (the homes themselves are removed). */
export const LOG_DIR = join(tmpdir(), "dispatch-bench-logs");

function keepLogs(home: string): void {
  const dir = join(LOG_DIR, basename(home));
  mkdirSync(dir, { recursive: true });
  for (const file of ["hub.out", "hub.log", "host.out", "host.log"]) {
    if (existsSync(join(home, file))) copyFileSync(join(home, file), join(dir, file));
  }
}

function tail(file: string, lines = 20): string {
  try {
    return readFileSync(file, "utf8").trimEnd().split("\n").slice(-lines).join("\n");
  } catch {
    return "(no output)";
  }
}
