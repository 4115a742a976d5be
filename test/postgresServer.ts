/**
 * A real PostgreSQL server for one test file: Debian's `initdb` in a temporary directory, then
 * `postgres` on a free port on 127.0.0.1 (socket in the same directory). PostgreSQL refuses to
 * run as root, so when the tests run as root both run as the `postgres` user (spawned with
 * its uid/gid, no su in between, so the pid we signal is the server's own). Each test gets a
 * fresh database (`database()`); `stop()` ends the server and removes the directory, and a
 * process exit kills a server still running, so none outlives a failed run.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export interface PostgresServer {
  port: number;
  /** `postgres://…` of the server's `postgres` database (for administration). */
  adminUrl: string;
  /** Creates an empty database and returns its URL. */
  database(): Promise<string>;
  /** Shuts the server down (fast shutdown: clients are cut off), keeping its data and port. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and data; resolves once it answers. */
  resume(): Promise<void>;
  stop(): Promise<void>;
}

/** The newest installed server's bin directory, e.g. /usr/lib/postgresql/15/bin. */
export function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const versions = existsSync(root)
    ? readdirSync(root)
        .filter((v) => existsSync(join(root, v, "bin", "initdb")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) throw new Error("PostgreSQL is not installed: apt-get install postgresql (see .ci/run)");
  return join(root, newest, "bin");
}

/** uid/gid to run the server as: ours, or the `postgres` user's when we are root. */
function serverUser(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync("/etc/passwd", "utf8")
    .split("\n")
    .find((l) => l.startsWith("postgres:"));
  if (!line)
    throw new Error("running as root needs a `postgres` user (Debian's postgresql package makes it)");
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

const READY_TIMEOUT_MS = 30_000;

export interface PostgresOptions {
  /** Keep PostgreSQL's default durability (fsync, synchronous commit): for benchmarks. */
  durable?: boolean;
}

export async function startPostgres(options: PostgresOptions = {}): Promise<PostgresServer> {
  const bin = postgresBinDir();
  const user = serverUser();
  const dir = mkdtempSync(join(tmpdir(), "dispatch-pg-"));
  if (user) chownSync(dir, user.uid, user.gid);
  const data = join(dir, "data");
  const owner = user ? { uid: user.uid, gid: user.gid } : {};
  execFileSync(
    join(bin, "initdb"),
    ["-D", data, "-U", "postgres", "--auth=trust", "--no-locale", "-E", "UTF8", "--no-sync"],
    { ...owner, stdio: "pipe", cwd: dir },
  );
  // A free port can be taken by another process (a hub, a host, another test's server) between
  // finding it and PostgreSQL binding it: then PostgreSQL exits, and another port is tried.
  let started: Started | undefined;
  for (let attempt = 1; !started; attempt++) {
    try {
      started = await launch(bin, data, dir, owner, options, await freePort());
    } catch (err) {
      if (!(err instanceof PortTaken) || attempt >= PORT_ATTEMPTS) {
        rmSync(dir, { recursive: true, force: true });
        throw err;
      }
    }
  }
  const { port, adminUrl } = started;
  let current: Started | undefined = started;
  let databases = 0;
  return {
    port,
    adminUrl,
    async halt() {
      await current?.halt();
      current = undefined;
    },
    async resume() {
      current ??= await launch(bin, data, dir, owner, options, port);
    },
    async database() {
      const name = `test_${++databases}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        // FILE_COPY: PostgreSQL 15 defaults to WAL_LOG, several times slower for a small template.
        await admin.query(`CREATE DATABASE ${name} STRATEGY = FILE_COPY`);
      } finally {
        await admin.end();
      }
      return `postgres://postgres@127.0.0.1:${port}/${name}`;
    },
    async stop() {
      if (current) await current.stop();
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Tries of a fresh port when the one found free was taken before PostgreSQL bound it. */
const PORT_ATTEMPTS = 5;

class PortTaken extends Error {}

interface Started {
  port: number;
  adminUrl: string;
  /** Ends the server, keeping its directory. */
  halt(): Promise<void>;
  /** Ends the server and removes its directory. */
  stop(): Promise<void>;
}

/** Starts PostgreSQL on `port` and waits until it answers; `PortTaken` if the port was taken. */
async function launch(
  bin: string,
  data: string,
  dir: string,
  owner: { uid?: number; gid?: number },
  options: PostgresOptions,
  port: number,
): Promise<Started> {
  // Durability settings off: a test database is thrown away, and fsyncs would dominate its time.
  const child: ChildProcess = spawn(
    join(bin, "postgres"),
    [
      ...["-D", data, "-k", dir, "-p", String(port), "-h", "127.0.0.1"],
      ...(options.durable
        ? []
        : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"]),
    ],
    { ...owner, stdio: ["ignore", "ignore", "pipe"], cwd: dir },
  );
  let log = "";
  child.stderr?.on("data", (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-8192);
  });
  const killOnExit = () => child.kill("SIGKILL");
  process.on("exit", killOnExit);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const adminUrl = `postgres://postgres@127.0.0.1:${port}/postgres`;
  let halting: Promise<void> | undefined;
  const halt = () => {
    halting ??= (async () => {
      process.off("exit", killOnExit);
      if (child.exitCode === null && child.signalCode === null) {
        // SIGINT is PostgreSQL's fast shutdown: it does not wait for clients to disconnect.
        child.kill("SIGINT");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
        await exited;
        clearTimeout(timer);
      }
    })();
    return halting;
  };
  const stop = async () => {
    await halt();
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await waitReady(
      adminUrl,
      () => child.exitCode !== null,
      () => log,
    );
  } catch (err) {
    if (log.includes("Address already in use")) {
      process.off("exit", killOnExit);
      await exited;
      throw new PortTaken(`port ${port} was taken`);
    }
    await stop();
    throw err;
  }
  return { port, adminUrl, halt, stop };
}

async function waitReady(url: string, died: () => boolean, log: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (died()) throw new Error(`postgres exited at start:\n${log()}`);
    // Bounded: whatever holds a taken port may accept and never answer.
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2_000 });
    try {
      await client.connect();
      await client.query("SELECT 1");
      await client.end();
      return;
    } catch (err) {
      await client.end().catch(() => undefined);
      if (Date.now() > deadline)
        throw new Error(`postgres did not accept connections: ${String(err)}\n${log()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }
}
