/**
 * Failover of a cluster node under load, on real processes: PostgreSQL, three hub nodes on one
 * database, three remote hosts each given every node's URL (in a different order, so each
 * starts on its own node), a session per host printing numbered lines, and clients of every
 * session on every node. The node holding a host is SIGKILLed (with its supervisor: the
 * machine is gone) while output flows. Its host must link to another node, its clients must
 * reconnect to another node and catch up exactly, every session's stored log must hold every
 * line once and in order, and the sessions must keep running (same pid).
 */
import { readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientSocket } from "../src/cli/ClientSocket.js";
import { type Cluster, startCluster } from "./cluster.js";
import { type HubHandle, waitFor } from "./harness.js";

const NODES = ["node1", "node2", "node3"];
/** Host -> the order it is given the nodes in (node indexes): hN starts on node N. */
const HOSTS: Record<string, number[]> = { h1: [0, 1, 2], h2: [1, 2, 0], h3: [2, 0, 1] };

let cluster: Cluster;
const nodes: HubHandle[] = [];

interface Session {
  id: string;
  name: string;
  status: string;
  pid: number | null;
  lastSeq: number;
}
interface ClusterView {
  node: string;
  nodes: { id: string; alive: boolean; url: string; hosts: string[] }[];
}

async function json<T>(node: HubHandle, path: string, init?: RequestInit): Promise<T> {
  const response = await node.api(path, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function clusterView(node: HubHandle): Promise<ClusterView> {
  const status = await json<{ cluster?: ClusterView }>(node, "/api/status");
  if (!status.cluster) throw new Error("no cluster in /api/status");
  return status.cluster;
}

/** The node (index) holding each host's link, as `node` sees the cluster. */
async function holders(node: HubHandle): Promise<Map<string, number>> {
  const view = await clusterView(node);
  const held = new Map<string, number>();
  for (const row of view.nodes) {
    if (!row.alive) continue;
    for (const host of row.hosts) held.set(host, NODES.indexOf(row.id));
  }
  return held;
}

/** Every stored event of a session, read from `node`: the output text and every seq. */
async function stored(node: HubHandle, name: string): Promise<{ text: string; seqs: number[] }> {
  let after = 0;
  let text = "";
  const seqs: number[] = [];
  for (;;) {
    const page = await json<{ events: { seq: number; type: string; data: unknown }[]; lastSeq: number }>(
      node,
      `/api/sessions/${name}/events?after=${after}&limit=5000`,
    );
    for (const event of page.events) {
      if (event.type === "output") text += Buffer.from(event.data as string, "base64").toString("utf8");
      seqs.push(event.seq);
      after = event.seq;
    }
    if (page.events.length === 0 || after >= page.lastSeq) return { text, seqs };
  }
}

/** The numbered lines `name-N` in `text`, in order. */
function numbers(text: string, name: string): number[] {
  return [...text.matchAll(new RegExp(`${name}-(\\d+)\\r?\\n`, "g"))].map((m) => Number(m[1]));
}

/**
 * A client attached to one session that, when its node goes away, connects to the next node
 * and attaches after the last seq it has, as `dispatch attach` and the web do. It records every
 * seq and all output in arrival order.
 */
class FollowingClient {
  seqs: number[] = [];
  text = "";
  node: number;
  reconnects = 0;
  private socket: ClientSocket | undefined;
  private stopped = false;

  constructor(
    readonly session: string,
    node: number,
  ) {
    this.node = node;
  }

  async start(): Promise<void> {
    const socket = await ClientSocket.connect({
      url: (nodes[this.node] as HubHandle).url,
      key: cluster.key,
      client: "failover-test",
    });
    this.socket = socket;
    socket.onOutput((frame) => {
      if (frame.session !== this.session) return;
      this.seqs.push(frame.seq);
      this.text += Buffer.from(frame.data).toString("utf8");
    });
    socket.onMessage((message) => {
      if (message.type === "event" && message.event.session === this.session)
        this.seqs.push(message.event.seq);
    });
    socket.onClose(() => {
      if (!this.stopped) void this.reconnect();
    });
    await socket.attach(this.session, { afterSeq: this.seqs.at(-1) ?? 0, snapshot: false });
  }

  private async reconnect(): Promise<void> {
    for (let attempt = 0; !this.stopped; attempt++) {
      this.node = (this.node + 1) % NODES.length;
      try {
        await this.start();
        this.reconnects++;
        return;
      } catch {
        // That node is the dead one too, or not ready: try the next.
        await new Promise((resolve) => setTimeout(resolve, Math.min(1_000, 100 * 2 ** attempt)));
      }
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.socket?.close();
  }
}

const clients: FollowingClient[] = [];

function kill(pid: number | undefined): void {
  if (!pid) return;
  try {
    process.kill(pid, "SIGKILL");
  } catch {
    // Already gone.
  }
}

beforeAll(async () => {
  cluster = await startCluster({ nodes: NODES });
  for (const name of NODES) nodes.push(cluster.node(name));
  for (const [name, order] of Object.entries(HOSTS)) {
    await cluster.startHost(
      name,
      order.map((i) => NODES[i] as string),
    );
  }
});

afterAll(async () => {
  for (const client of clients) await client.stop().catch(() => undefined);
  await cluster?.stop();
});

describe("cluster failover", () => {
  it("survives a SIGKILLed node under load: hosts move, clients catch up exactly, nothing lost or doubled", async () => {
    const first = nodes[0] as HubHandle;
    // Each host starts on its own node.
    const before = await waitFor(
      async () => {
        const held = await holders(first);
        return Object.keys(HOSTS).every((h) => held.get(h) === (HOSTS[h] as number[])[0]) ? held : undefined;
      },
      { timeoutMs: 30_000, message: "every host linked to its first node" },
    );

    const sessions = new Map<string, Session>();
    for (const host of Object.keys(HOSTS)) {
      const name = `count-${host}`;
      const script = `i=0; while :; do i=$((i+1)); echo ${name}-$i; sleep 0.02; done`;
      const { session } = await json<{ session: Session }>(first, "/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name, host, cwd: tmpdir(), command: ["sh", "-c", script] }),
      });
      sessions.set(name, session);
    }
    // A client of every session on every node.
    for (const session of sessions.values()) {
      for (let n = 0; n < NODES.length; n++) {
        const client = new FollowingClient(session.id, n);
        clients.push(client);
        await client.start();
      }
    }
    for (const name of sessions.keys()) {
      await waitFor(async () => numbers((await stored(first, name)).text, name).length >= 20, {
        message: `${name} printing`,
      });
    }
    const pids = new Map<string, number>();
    for (const name of sessions.keys()) {
      const { session } = await json<{ session: Session }>(first, `/api/sessions/${name}`);
      expect(session.status).toBe("running");
      pids.set(name, session.pid as number);
    }

    // The victim: node1, holding h1. Its supervisor goes first so nothing restarts it.
    const victim = 0;
    expect(before.get("h1")).toBe(victim);
    const dead = nodes[victim] as HubHandle;
    const supervisor = Number(readFileSync(join(dead.home, "supervisor.pid"), "utf8").trim());
    kill(supervisor);
    kill(dead.pids().hub);
    const survivor = nodes[1] as HubHandle;
    const linesAtKill = new Map<string, number>();
    for (const name of sessions.keys())
      linesAtKill.set(name, numbers((await stored(survivor, name)).text, name).length);

    // h1 links to another node; the others stay where they were.
    const after = await waitFor(
      async () => {
        const held = await holders(survivor);
        const h1 = held.get("h1");
        return h1 !== undefined && h1 !== victim && held.size === 3 ? held : undefined;
      },
      { timeoutMs: 30_000, message: "h1 linked to a surviving node" },
    );
    expect(after.get("h2")).toBe(1);
    expect(after.get("h3")).toBe(2);
    const { hosts: views } = await json<{ hosts: { name: string; status: string }[] }>(
      survivor,
      "/api/hosts",
    );
    expect(views.find((h) => h.name === "h1")?.status).toBe("connected");
    expect(await cluster.ownerOf("h1")).not.toBe(NODES[victim]);

    // Output flows on: every session gets 50 more lines stored, through the surviving nodes.
    for (const name of sessions.keys()) {
      await waitFor(
        async () =>
          numbers((await stored(survivor, name)).text, name).length >= (linesAtKill.get(name) as number) + 50,
        { timeoutMs: 30_000, message: `${name} printing after the kill` },
      );
    }

    for (const [name, session] of sessions) {
      // Stored: every line once, in order, from 1; seqs 1..N with no gap.
      const log = await stored(survivor, name);
      const lines = numbers(log.text, name);
      expect(lines).toEqual(lines.map((_, i) => i + 1));
      expect(log.seqs).toEqual(log.seqs.map((_, i) => i + 1));
      // Still the same process.
      const { session: now } = await json<{ session: Session }>(survivor, `/api/sessions/${name}`);
      expect(now).toMatchObject({ status: "running", pid: pids.get(name) });

      // Every client of it, including those that were on the dead node, caught up exactly:
      // consecutive seqs from 1, the same lines as the store, up to the line it has reached.
      for (const client of clients.filter((c) => c.session === session.id)) {
        await waitFor(() => (client.seqs.at(-1) ?? 0) >= (log.seqs.at(-1) as number), {
          timeoutMs: 20_000,
          message: `a client of ${name} (now on ${NODES[client.node]}) caught up`,
        });
        expect(client.seqs.slice(0, log.seqs.length)).toEqual(log.seqs);
        const seen = numbers(client.text, name);
        expect(seen.slice(0, lines.length)).toEqual(lines);
      }
    }
    const moved = clients.filter((c) => c.reconnects > 0);
    expect(moved.length).toBe(sessions.size);
    for (const client of moved) expect(client.node).not.toBe(victim);
  });
});
