/**
 * The cluster's rules in the database, against a real server: who may take a host's lease,
 * that only the lease holder's appends land (and continue from the stored seq, not from
 * memory), that a commit notifies `session:seq`, and that a sole hub and cluster nodes keep
 * out of each other's database.
 */
import pg from "pg";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { waitFor } from "../../../test/harness.js";
import { type PostgresServer, startPostgres } from "../../../test/postgresServer.js";
import { sessionRecord } from "../../../test/sessionRecord.js";
import type { SessionEvent } from "../../protocol/events.js";
import { PgCluster } from "./PgCluster.js";
import { PostgresStore } from "./PostgresStore.js";

let server: PostgresServer;
let url: string;
const open: PostgresStore[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  url = await server.database();
});
afterEach(() => {
  for (const store of open.splice(0)) store.close();
});

function node(name: string): { store: PostgresStore; cluster: PgCluster } {
  const store = PostgresStore.open(url, { node: "cluster" });
  open.push(store);
  store.fenceAppends({ node: name, channel: "test_events" });
  const cluster = new PgCluster(store.connection);
  beatHolding(cluster, name);
  return { store, cluster };
}

/** One beat of node `name`, with `host` (if any) linked in warning; the hosts it no longer holds. */
function beatHolding(cluster: PgCluster, name: string, host?: string): string[] {
  return cluster.beat({
    node: name,
    url: `http://${name}`,
    pid: 1,
    startedAt: 0,
    hosts: host ? [host] : [],
    links: host ? { [host]: { health: "warning", rttMs: 412, missedBeats: 1 } } : {},
    clients: host ? 2 : 0,
    leaseMs: 5000,
  });
}

async function sql<R>(text: string, params: unknown[] = []): Promise<R[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(text, params)).rows as R[];
  } finally {
    await client.end();
  }
}

const record = sessionRecord({
  id: "s1",
  host: "h1",
  command: [],
  cwd: "/",
  pid: null,
  createdAt: 1,
  lastActivityAt: 1,
});

const output = (seq: number): SessionEvent => ({
  session: "s1",
  seq,
  ts: seq,
  type: "output",
  data: new TextEncoder().encode(`line ${seq}\n`),
});

const claim = (cluster: PgCluster, name: string) =>
  cluster.claim({ host: "h1", node: name, leaseMs: 5000, deadMs: 5000 });

describe("the cluster's rows", () => {
  it("gives a host's lease to one live node; a dead holder's lease is taken over and its next beat says so", async () => {
    const a = node("a");
    const b = node("b");
    expect(claim(a.cluster, "a")).toEqual({ taken: true });
    expect(claim(b.cluster, "b")).toEqual({ taken: false, holder: "a", url: "http://a" });
    expect(beatHolding(a.cluster, "a", "h1")).toEqual([]);
    // The holder's view of the link is there for the other nodes to show.
    expect(b.cluster.leases(5000)).toEqual([
      {
        host: "h1",
        node: "a",
        takenAt: expect.any(Number),
        live: true,
        link: { health: "warning", rttMs: 412, missedBeats: 1 },
      },
    ]);
    // Node a stops beating: ten seconds later it counts as dead, though still connected (a
    // stalled process: the other nodes still hand it its host's messages).
    await sql("UPDATE nodes SET heartbeat_at = heartbeat_at - 10000 WHERE id = 'a'");
    expect(a.cluster.nodes(5000).map((n) => [n.id, n.alive, n.connected])).toEqual([
      ["a", false, true],
      ["b", true, true],
    ]);
    expect(claim(b.cluster, "b")).toEqual({ taken: true });
    expect(beatHolding(a.cluster, "a", "h1")).toEqual(["h1"]);
    expect(b.cluster.leases(5000)).toEqual([
      { host: "h1", node: "b", takenAt: expect.any(Number), live: true, link: null },
    ]);
    // Released, it is free for anyone at once.
    b.cluster.release("h1", "b");
    expect(claim(a.cluster, "a")).toEqual({ taken: true });
  });

  it("counts a node dead as soon as its connection closes (a crash), and gives its lease to the next", async () => {
    const a = node("a");
    const b = node("b");
    expect(claim(a.cluster, "a")).toEqual({ taken: true });
    a.store.close();
    // The server drops the closed connection's locks as its backend exits, a moment later.
    await waitFor(() => b.cluster.nodes(5000).find((n) => n.id === "a")?.alive === false, {
      message: "node a counted dead",
    });
    expect(b.cluster.nodes(5000).map((n) => [n.id, n.alive, n.connected])).toEqual([
      ["a", false, false],
      ["b", true, true],
    ]);
    expect(claim(b.cluster, "b")).toEqual({ taken: true });
  });

  it("refuses a second running node under a name that is taken", () => {
    node("a");
    expect(() => node("a")).toThrow(/another running hub is cluster node 'a'.*its own DISPATCH_NODE/);
  });

  it("lands only the lease holder's appends, each continuing from the stored seq", () => {
    const a = node("a");
    const b = node("b");
    a.store.insertSession(record);
    claim(a.cluster, "a");
    expect(a.store.appendBatch([output(1), output(2)])).toHaveLength(2);
    // Node b has no lease: its events are refused like those of an unknown session.
    expect(b.store.appendBatch([output(3)])).toEqual([]);
    expect(b.store.lastRejected.map((e) => e.seq)).toEqual([3]);
    // b takes over (a is gone); b continues at 3 although it never appended, a is refused.
    a.cluster.release("h1", "a");
    claim(b.cluster, "b");
    expect(b.store.appendBatch([output(3)])).toHaveLength(1);
    expect(a.store.appendBatch([output(4)])).toEqual([]);
    expect(a.store.lastSeq("s1")).toBe(3);
    expect(b.store.readEvents("s1", 0).map((e) => e.seq)).toEqual([1, 2, 3]);
  });

  it("notifies session:seq when an append commits", async () => {
    const a = node("a");
    a.store.insertSession(record);
    claim(a.cluster, "a");
    const listener = new pg.Client({ connectionString: url });
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on("notification", (m) => heard.push(m.payload ?? ""));
      await listener.query("LISTEN test_events");
      a.store.appendBatch([output(1), output(2), output(3)]);
      await listener.query("SELECT 1");
      expect(heard).toEqual(["s1:3"]);
    } finally {
      await listener.end();
    }
  });

  it("keeps a sole hub out of a database cluster nodes use, saying how to join", () => {
    node("a");
    node("b");
    expect(() => PostgresStore.open(url, { node: "sole" })).toThrow(
      /another hub already uses this PostgreSQL database.*DISPATCH_NODE/,
    );
  });

  it("records the first node's value of a setting and hands it to every later node", () => {
    const a = node("a");
    expect(a.cluster.agreeOn("owner_key_sha256", "first")).toBe("first");
    expect(node("b").cluster.agreeOn("owner_key_sha256", "second")).toBe("first");
  });
});
