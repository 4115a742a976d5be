/**
 * A real cluster for one test file: one PostgreSQL server (`postgresServer.ts`), N hub nodes
 * on one of its databases (real `dispatch start` processes from `dist/`, each with its own
 * DISPATCH_HOME and port, all with the same DISPATCH_KEY and DISPATCH_NODE=its name), and
 * remote hosts (`dispatch host --hub URL --token T` child processes, each with its own home)
 * linked to chosen nodes. `stop()` ends every host, node and the server, also after a failed
 * test, and a process exit kills whatever is left.
 *
 *   const c = await startCluster({ nodes: ["a", "b", "c"] });
 *   const h1 = await c.startHost("h1", "b");        // linked to node b
 *   const client = await c.client("a");              // a raw client on node a
 *   await c.stop();
 */
import { type ChildProcess, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BIN, cleanEnv, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { WireClient } from "./wire.js";

/** A short beat so a dead link shows quickly; the behaviour is the same at the default. */
const HEARTBEAT_MS = 500;

export interface ClusterHost {
  name: string;
  token: string;
  home: string;
  child: ChildProcess;
  /** Everything the host printed on stderr so far. */
  log: string;
  /** The hub URLs it was given. */
  hubs: string[];
  /** Sends a signal to the host process (SIGKILL to simulate a crash). */
  kill(signal?: NodeJS.Signals): void;
  /** Resolves once the process has exited. */
  exited(): Promise<void>;
}

export interface Cluster {
  server: PostgresServer;
  /** The shared database URL. */
  databaseUrl: string;
  /** The owner key every node was given. */
  key: string;
  /** Nodes by name. */
  nodes: Map<string, HubHandle>;
  /** Hosts by name (the last one started under each name). */
  hosts: Map<string, ClusterHost>;
  node(name: string): HubHandle;
  /** Starts one more node (also a node restarted under an earlier name). */
  startNode(name: string, env?: Record<string, string>): Promise<HubHandle>;
  /**
   * Issues a host token (once per name) and starts `dispatch host` linked to `node` (a node
   * name, or several for a host given more than one hub URL); resolves once some node holds
   * its lease and lists it as connected.
   */
  startHost(
    name: string,
    node: string | string[],
    options?: {
      extraArgs?: string[] /** Dial these URLs instead of the nodes' own (a proxy). */;
      urls?: string[];
      /** Extra environment for the host (DISPATCH_PLUGINS). */
      env?: Record<string, string>;
    },
  ): Promise<ClusterHost>;
  /** A raw client-protocol connection to `node`, hello done; closed by `stop()`. */
  client(node: string): Promise<WireClient>;
  /** `fetch` against `node` with the owner key. */
  api(node: string, path: string, init?: RequestInit): Promise<Response>;
  /** Which node holds `host`'s lease now (from `dispatch status --json` on any live node). */
  ownerOf(host: string): Promise<string | undefined>;
  stop(): Promise<void>;
}

export interface ClusterOptions {
  nodes: string[];
  /** Extra environment for every node (e.g. DISPATCH_HEARTBEAT_MS). */
  env?: Record<string, string>;
}

const everyChild = new Set<ChildProcess>();
process.on("exit", () => {
  for (const child of everyChild) signal(child, "SIGKILL");
});

function signal(child: ChildProcess, name: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, name);
  } catch {
    // Already gone.
  }
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const server = await startPostgres();
  const hosts: ClusterHost[] = [];
  const hostsByName = new Map<string, ClusterHost>();
  const homes: string[] = [];
  const clients: WireClient[] = [];
  const tokens = new Map<string, string>();
  const nodes = new Map<string, HubHandle>();
  const key = `dsk_${randomBytes(24).toString("base64url")}`;
  let databaseUrl = "";
  let stopping: Promise<void> | undefined;

  const cluster: Cluster = {
    server,
    get databaseUrl() {
      return databaseUrl;
    },
    key,
    nodes,
    hosts: hostsByName,
    node(name) {
      const handle = nodes.get(name);
      if (!handle) throw new Error(`no node '${name}' in this cluster`);
      return handle;
    },
    async startNode(name, env = {}) {
      const handle = await startHub({
        env: {
          DISPATCH_STORE: databaseUrl,
          DISPATCH_NODE: name,
          DISPATCH_KEY: key,
          DISPATCH_HEARTBEAT_MS: String(HEARTBEAT_MS),
          ...options.env,
          ...env,
        },
      });
      nodes.set(name, handle);
      return handle;
    },
    async startHost(name, node, hostOptions = {}) {
      const first = cluster.node(Array.isArray(node) ? (node[0] as string) : node);
      let token = tokens.get(name);
      if (!token) {
        const created = await first.cli(["hosts", "token", "create", name]);
        if (created.code !== 0) throw new Error(`hosts token create ${name}: ${created.stderr}`);
        token = created.stdout.trim();
        tokens.set(name, token);
      }
      const urls = hostOptions.urls ?? (Array.isArray(node) ? node : [node]).map((n) => cluster.node(n).url);
      const home = mkdtempSync(join(tmpdir(), `dispatch-cluster-${name}-`));
      homes.push(home);
      const child = spawn(
        process.execPath,
        [
          BIN,
          "host",
          ...urls.flatMap((url) => ["--hub", url]),
          "--token",
          token,
          "--name",
          name,
          ...(hostOptions.extraArgs ?? []),
        ],
        {
          env: cleanEnv({ DISPATCH_HOME: home, HOME: home, ...hostOptions.env }),
          cwd: REPO_ROOT,
          stdio: ["ignore", "ignore", "pipe"],
        },
      );
      everyChild.add(child);
      const exit = new Promise<void>((resolve) => child.once("exit", () => resolve()));
      const host: ClusterHost = {
        name,
        token,
        home,
        child,
        log: "",
        hubs: urls,
        kill: (name = "SIGTERM") => signal(child, name),
        exited: () => exit,
      };
      child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
        host.log += chunk;
      });
      hosts.push(host);
      hostsByName.set(name, host);
      await waitFor(async () => (await cluster.ownerOf(name)) !== undefined, {
        timeoutMs: 20_000,
        message: `host ${name} linked to a node (log: ${host.log.slice(-500)})`,
      });
      return host;
    },
    async client(name) {
      const handle = cluster.node(name);
      const c = await WireClient.open(handle.url, { authorization: `Bearer ${key}` });
      clients.push(c);
      await c.request({ type: "hello", protocol: 1 });
      return c;
    },
    api(name, path, init = {}) {
      return cluster.node(name).api(path, init);
    },
    async ownerOf(host) {
      for (const handle of nodes.values()) {
        try {
          const res = await handle.api("/api/status");
          if (!res.ok) continue;
          const body = (await res.json()) as {
            cluster?: { nodes: { id: string; alive: boolean; hosts: string[] }[] };
          };
          return body.cluster?.nodes.find((n) => n.alive && n.hosts.includes(host))?.id;
        } catch {
          // That node is down: ask the next.
        }
      }
      return undefined;
    },
    stop() {
      stopping ??= (async () => {
        await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
        for (const host of hosts) host.kill("SIGTERM");
        await Promise.race([
          Promise.all(hosts.map((h) => h.exited())),
          new Promise((resolve) => setTimeout(resolve, 5_000)),
        ]);
        for (const host of hosts) host.kill("SIGKILL");
        await Promise.all([...nodes.values()].map((h) => h.stop()));
        await server.stop();
        for (const home of homes) rmSync(home, { recursive: true, force: true });
      })();
      return stopping;
    },
  };
  try {
    databaseUrl = await server.database();
    // The first alone (it applies the migrations and records the owner key), then the rest together.
    const [first, ...rest] = options.nodes;
    if (first !== undefined) await cluster.startNode(first);
    await Promise.all(rest.map((name) => cluster.startNode(name)));
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  return cluster;
}

/**
 * Creates a session through `node` (REST, `body` as for `POST /api/sessions`) and attaches a
 * new raw client on `node` to it from its first event.
 */
export async function createAttached(
  cluster: Cluster,
  node: string,
  body: Record<string, unknown>,
): Promise<{ id: string; client: WireClient }> {
  const res = await cluster.api(node, "/api/sessions", { method: "POST", body: JSON.stringify(body) });
  const json = (await res.json()) as { session?: { id: string } };
  if (res.status !== 201 || !json.session) throw new Error(`creating a session: ${JSON.stringify(json)}`);
  const client = await cluster.client(node);
  await client.request({ type: "attach", session: json.session.id, afterSeq: 0, snapshot: false });
  return { id: json.session.id, client };
}

/**
 * A TCP proxy on 127.0.0.1 in front of one node, whose target can be switched: a host dialing
 * it re-dials the same URL and lands on another node, as behind a load balancer.
 */
export interface NodeProxy {
  url: string;
  /** Sends new connections to `port`; with `dropLinks`, ends the ones open now. */
  target(port: number, options?: { dropLinks?: boolean }): void;
  close(): Promise<void>;
}

/** A port nothing listens on: a host dialing it is refused, and dials again. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  return typeof address === "object" && address ? address.port : 0;
}

export async function startProxy(port: number): Promise<NodeProxy> {
  let targetPort = port;
  const open = new Set<Socket>();
  const server = createServer((inbound) => {
    const outbound = connect(targetPort, "127.0.0.1");
    for (const socket of [inbound, outbound]) {
      open.add(socket);
      socket.on("close", () => open.delete(socket));
      // A reset on either side ends the pair below.
      socket.on("error", () => undefined);
    }
    inbound.pipe(outbound).pipe(inbound);
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  const proxyPort = typeof address === "object" && address ? address.port : 0;
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    target(next, options = {}) {
      targetPort = next;
      if (options.dropLinks) for (const socket of open) socket.destroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
