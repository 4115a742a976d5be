/**
 * A cluster for the benchmarks: one real PostgreSQL server (its default durability), N hub
 * nodes on one database of it (`DISPATCH_STORE`, `DISPATCH_NODE`, one shared owner key), and
 * remote hosts (`dispatch host`, each in its own home) dialing the nodes they are given.
 * Nodes are `bench/hub.ts` hubs, so `stopAllHubs()` and its exit hook reach them; hosts and the
 * server are stopped by `stop()`, and by an exit hook when the run dies.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type PostgresServer, startPostgres } from "../test/postgresServer.js";
import { type BenchHub, BIN, cleanEnv, descendants, REPO_ROOT, startHub } from "./hub.js";
import { sleep, waitUntil } from "./stats.js";

export interface RigHost {
  name: string;
  home: string;
  child: ChildProcess;
  log: string;
}

export interface Rig {
  server: PostgresServer;
  /** The database every node shares. */
  storeUrl: string;
  nodes: BenchHub[];
  hosts: RigHost[];
  stop(): Promise<void>;
}

const liveHosts = new Set<RigHost>();

export async function startRig(options: {
  nodes: number;
  /** Host name -> the hub URLs it is given (node indexes, dialed in that order). */
  hosts: Record<string, number[]>;
  env?: Record<string, string>;
  server?: PostgresServer;
}): Promise<Rig> {
  const server = options.server ?? (await startPostgres({ durable: true }));
  const storeUrl = await server.database();
  const key = randomBytes(24).toString("base64url");
  const nodes: BenchHub[] = [];
  const hosts: RigHost[] = [];
  const rig: Rig = {
    server,
    storeUrl,
    nodes,
    hosts,
    async stop() {
      await Promise.all(hosts.map(stopHost));
      await Promise.all(nodes.map((node) => node.stop()));
      if (!options.server) await server.stop();
    },
  };
  try {
    for (let i = 0; i < options.nodes; i++) {
      nodes.push(
        await startHub({
          env: { ...options.env, DISPATCH_STORE: storeUrl, DISPATCH_NODE: `node${i + 1}`, DISPATCH_KEY: key },
        }),
      );
    }
    const first = nodes[0] as BenchHub;
    for (const [name, dial] of Object.entries(options.hosts)) {
      const created = await first.cli(["hosts", "token", "create", name]);
      if (created.code !== 0) throw new Error(`hosts token create ${name}: ${created.stderr.trim()}`);
      const urls = dial.map((i) => (nodes[i] as BenchHub).url).join(",");
      hosts.push(startHost(name, urls, created.stdout.trim()));
    }
    await waitUntil(
      "every host linked to a node",
      async () => {
        const response = await fetch(`${first.url}/api/status`, {
          headers: { authorization: `Bearer ${key}` },
        });
        const body = (await response.json()) as {
          cluster?: { nodes: { alive: boolean; hosts: string[] }[] };
        };
        const held = new Set(body.cluster?.nodes.filter((n) => n.alive).flatMap((n) => n.hosts));
        return hosts.every((h) => held.has(h.name));
      },
      30_000,
    ).catch((err: Error) => {
      throw new Error(
        `${err.message}\n${hosts.map((h) => `--- ${h.name}\n${h.log.slice(-1500)}`).join("\n")}`,
      );
    });
  } catch (err) {
    await rig.stop();
    throw err;
  }
  return rig;
}

function startHost(name: string, urls: string, token: string): RigHost {
  const home = mkdtempSync(join(tmpdir(), `dispatch-bench-host-${name}-`));
  const child = spawn(process.execPath, [BIN, "host", "--hub", urls, "--token", token, "--name", name], {
    env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const host: RigHost = { name, home, child, log: "" };
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    // The tail is enough to say why a host failed.
    host.log = (host.log + chunk).slice(-20_000);
  });
  liveHosts.add(host);
  return host;
}

/** SIGTERM (the host ends its sessions), then SIGKILL for it and anything it left. */
async function stopHost(host: RigHost): Promise<void> {
  const pid = host.child.pid;
  const running = () => host.child.exitCode === null && host.child.signalCode === null;
  const left = pid ? descendants(pid) : [];
  if (pid && running()) {
    host.child.kill("SIGTERM");
    for (let i = 0; i < 100 && running(); i++) await sleep(50);
  }
  killHost(host, left);
  liveHosts.delete(host);
  rmSync(host.home, { recursive: true, force: true });
}

function killHost(host: RigHost, left: number[] = []): void {
  const pid = host.child.pid;
  for (const each of [...(pid ? [pid, ...descendants(pid)] : []), ...left]) {
    try {
      process.kill(each, "SIGKILL");
    } catch {
      // Already gone.
    }
  }
}

process.on("exit", () => {
  for (const host of liveHosts) killHost(host);
});
