/**
 * Run by the hub's entry before its bundle loads (`scripts/bundle.js`, `before`): starts the
 * local host when none runs, so the host's boot (a Node process and its modules, ~0.4 s) runs
 * beside the hub's own instead of after it; the hub's launcher then waits for this host
 * (`LocalHostLauncher`) rather than starting one. A port to hold is held here first (and handed
 * to the hub), so a start whose port is taken starts no host; a refused bind address, a
 * cluster node (no local host) and a data directory whose hub or host runs start none either.
 * Anything unexpected leaves the host to the launcher, as before.
 */
import { readFileSync } from "node:fs";
import { createServer, isIP, type Server } from "node:net";
import { flagValue } from "../core/flagArgs.js";
import { noteEarlyHost, noteEarlyPort } from "../platform/earlyStart.js";
import { dataHome, ensureHome, type HomePaths, homePaths } from "../platform/home.js";
import { rememberedPort } from "../platform/hubPort.js";
import { dropLeanEnv } from "../platform/leanProcess.js";
import { isAlive } from "../platform/processAlive.js";
import { spawnLocalHost } from "./localHostProcess.js";

/** `commands/serve.ts`'s defaults (`hubAddress.ts`'s port), not imported: they load the CLI's modules. */
const DEFAULT_PORT = 7777;
const DEFAULT_HOST = "127.0.0.1";

export async function startLocalHostEarly(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): Promise<void> {
  try {
    const home = dataHome(env);
    const bind = serveBinding(argv, env, rememberedPort(homePaths(home)));
    if (bind === undefined || env.DISPATCH_NODE?.trim()) return;
    const paths = ensureHome(home);
    if (runs(paths.hubPid, "dispatch") || runs(paths.hostPid, "host/main.js")) return;
    if (bind.port !== 0) {
      const server = await hold(bind);
      if (server === undefined) return;
      noteEarlyPort({ ...bind, server });
    }
    // The host gets the environment the hub runs with (the operator's CA bundle back in).
    const hubEnv = { ...env };
    dropLeanEnv(hubEnv);
    const pid = spawnLocalHost({ home: paths.home, env: hubEnv });
    if (pid !== undefined) noteEarlyHost(pid);
  } catch {
    // An unusable data directory, a bad argument: the hub reports it as it starts.
  }
}

/**
 * The port and address a `serve` command line binds (`--port P`, else `DISPATCH_PORT`, else
 * `remembered`, the port the hub last started on, else 7777; `--host H`, else 127.0.0.1, as
 * `commands/serve.ts` reads them), when the bind is allowed; undefined for anything else (the
 * hub then says what is wrong).
 */
export function serveBinding(
  argv: readonly string[],
  env: NodeJS.ProcessEnv,
  remembered: number | undefined,
): { port: number; host: string } | undefined {
  const args = argv.slice(2);
  if (args[0] !== "serve" || args.some((arg) => arg === "-h" || arg === "--help")) return undefined;
  const port = flagValue(args, "--port") ?? (env.DISPATCH_PORT || String(remembered ?? DEFAULT_PORT));
  const host = flagValue(args, "--host") ?? DEFAULT_HOST;
  if (!/^\d{1,5}$/.test(port) || Number(port) > 65535) return undefined;
  // The hub refuses a bind beyond loopback without --allow-remote (`server/main.ts`).
  const loopback = host === "localhost" || host === "::1" || (isIP(host) === 4 && host.startsWith("127."));
  if (!loopback && !args.includes("--allow-remote")) return undefined;
  return { port: Number(port), host };
}

/** Whether the pid file names a live process whose command line holds `marker`. */
function runs(pidFile: HomePaths["hubPid"], marker: string): boolean {
  let pid: number;
  try {
    pid = Number(readFileSync(pidFile, "utf8").trim());
  } catch {
    // No pid file: not running.
    return false;
  }
  if (!Number.isInteger(pid) || pid <= 0 || pid === process.pid || !isAlive(pid)) return false;
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker);
  } catch {
    // No /proc (macOS): a live pid counts, and the launcher decides, as before.
    return true;
  }
}

/** The port, held (`server/portHold.ts` does the same); undefined when it is taken. */
function hold(bind: { port: number; host: string }): Promise<Server | undefined> {
  return new Promise((resolve) => {
    const server = createServer((socket) => socket.destroy());
    server.unref();
    server.once("error", () => resolve(undefined));
    server.listen(bind, () => resolve(server));
  });
}
