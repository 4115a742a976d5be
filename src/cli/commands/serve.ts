/** `dispatch serve [--port N] [--host H] [--allow-remote]`: the hub in the foreground. */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { VERSION } from "../../core/version.js";
import { dataHome, ensureHome, type HomePaths, homePaths } from "../../platform/home.js";
import type { startHubServer } from "../../server/main.js";
import { resolvePort } from "../hubAddress.js";
import { HUB_MARKER, hubLockFile, isDispatchProcess, readHubInfo, tryLock } from "../hubFiles.js";

export const DEFAULT_BIND_HOST = "127.0.0.1";

/** The flags `serve` and `start` share. */
export interface HubFlags {
  port?: string;
  host: string;
  allowRemote?: boolean;
  tlsCert?: string;
  tlsKey?: string;
  trustProxy?: boolean;
  allowedHost?: string[];
  store?: string;
}

/** The flags `start` hands on to the `serve` it runs in the background. */
export function serveFlagArgs(flags: HubFlags): string[] {
  const args: string[] = [];
  if (flags.allowRemote) args.push("--allow-remote");
  if (flags.tlsCert) args.push("--tls-cert", flags.tlsCert);
  if (flags.tlsKey) args.push("--tls-key", flags.tlsKey);
  if (flags.trustProxy) args.push("--trust-proxy");
  for (const name of flags.allowedHost ?? []) args.push("--allowed-host", name);
  if (flags.store) args.push("--store", flags.store);
  return args;
}

export function addHubFlags(command: Command): Command {
  return command
    .option(
      "--port <n>",
      "port to listen on; 0 picks a free one (default: $DISPATCH_PORT, else the last one, else 7777)",
    )
    .option("--host <address>", "address to bind", DEFAULT_BIND_HOST)
    .option("--allow-remote", "allow binding an address other than loopback (put TLS in front of it)")
    .option("--tls-cert <file>", "serve HTTPS with this PEM certificate (with --tls-key; $DISPATCH_TLS_CERT)")
    .option("--tls-key <file>", "the PEM private key for --tls-cert ($DISPATCH_TLS_KEY)")
    .option("--trust-proxy", "a TLS proxy is in front: trust X-Forwarded-For, mark cookies Secure")
    .option(
      "--store <url>",
      "keep sessions in PostgreSQL (postgres://user@host/db) instead of the SQLite file; hub nodes sharing it form a cluster ($DISPATCH_STORE)",
    )
    .option(
      "--allowed-host <name>",
      "a name the Host header may carry besides loopback names (repeatable; $DISPATCH_ALLOWED_HOSTS)",
      (value: string, previous: string[] = []) => [...previous, value],
    );
}

export function registerServe(program: Command): void {
  addHubFlags(program.command("serve").description("run the hub in the foreground (Ctrl-C stops it)")).action(
    serve,
  );
}

async function serve(flags: HubFlags): Promise<void> {
  const home = dataHome();
  const port = resolvePort(flags.port);
  // Held until this process ends: a second hub here would share the database and the host.
  const lock = await tryLock(hubLockFile(ensureHome(home)));
  if (!lock) throw new DispatchError("conflict", homeTaken(homePaths(home)));
  try {
    await runHub(home, port, flags);
  } finally {
    lock.release();
  }
}

async function runHub(home: string, port: number, flags: HubFlags): Promise<void> {
  // Loaded here, not at the top: every other command stays free of the server's dependencies.
  const { startHubServer } = await import("../../server/main.js");
  let server: Awaited<ReturnType<typeof startHubServer>>;
  try {
    server = await startHubServer({
      home,
      port,
      host: flags.host,
      allowRemote: flags.allowRemote === true,
      tlsCert: flags.tlsCert,
      tlsKey: flags.tlsKey,
      trustProxy: flags.trustProxy === true || process.env.DISPATCH_TRUST_PROXY === "1",
      allowedHosts: flags.allowedHost,
      store: flags.store,
    });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "EADDRINUSE") {
      throw new DispatchError(
        "conflict",
        `port ${port} on ${flags.host} is already in use — is a hub running? see \`dispatch status\`, or pick another with --port`,
      );
    }
    throw err;
  }
  const hub = server;
  const onUncaught = (err: unknown) => {
    // A full disk met by a timer's write is weather: reported as failing storage, retried.
    if (hub.absorb(err)) return;
    console.error("dispatch: uncaught error in the hub; exiting (a supervisor restarts it)", err);
    process.exit(1);
  };
  process.on("uncaughtException", onUncaught);
  process.on("unhandledRejection", onUncaught);
  console.log(`dispatch ${VERSION}: hub listening on ${server.url} (pid ${process.pid})`);
  console.log(loginHint(server.keySource ?? homePaths(home).key));
  await stopSignal();
  await server.close();
}

/** Why `serve` refuses: which hub holds the data directory, and what to do. */
function homeTaken(paths: HomePaths): string {
  const info = readHubInfo(paths);
  // The holder writes hub.json once it listens; until then the file may be a killed hub's.
  const which =
    info && isDispatchProcess(info.pid, HUB_MARKER) ? `pid ${info.pid}, port ${info.port}` : "still starting";
  return `a hub already runs for ${paths.home} (${which}); stop it with \`dispatch stop\` or use another DISPATCH_HOME`;
}

/** How to log in: where the key is, never the key itself. */
export function loginHint(keySource: string): string {
  return keySource === "DISPATCH_KEY"
    ? "log in with the access key from DISPATCH_KEY"
    : `log in with the access key in ${keySource}`;
}

/** Resolves on the first SIGINT, SIGTERM or SIGHUP; a second one exits at once. */
function stopSignal(): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        console.error(`dispatch: ${signal} again, exiting without a clean shutdown`);
        process.exit(1);
      }
      stopping = true;
      // Ctrl-C on `npm start` looks like "stop everything"; say what it does and does not stop.
      console.log(
        `${signal}: stopping the hub; your sessions keep running in the host (run the hub again to reach them, or \`dispatch stop --all\` to end them)`,
      );
      resolve();
    };
    for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, onSignal);
  });
}
