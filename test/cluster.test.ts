/**
 * Three hub nodes on one real PostgreSQL, real remote hosts linked to different nodes, and
 * clients spread over the nodes: a client sees live output of a session whose host is on
 * another node exactly once and in order (also after reconnecting to a third node from its
 * last seq), its input reaches that host, a rename and a kill from one node show on every
 * node, and `dispatch status` names the nodes and the hosts each one holds.
 */
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { type Cluster, startCluster, startProxy } from "./cluster.js";
import { cleanEnv, REPO_ROOT, runCli, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

let cluster: Cluster;

/** A plug-in kind whose revive is as large as a test asks (for the nodes; the host needs it too). */
const PLUGINS = { DISPATCH_PLUGINS: join(REPO_ROOT, "dist", "test", "kinds", "bulky", "index.js") };

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["a", "b", "c"], env: PLUGINS });
  await Promise.all([cluster.startHost("h1", "b", { env: PLUGINS }), cluster.startHost("h2", "c")]);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

interface SessionView {
  id: string;
  name: string;
  status: string;
  host: string;
  reachable: boolean;
}

async function create(node: string, body: Record<string, unknown>): Promise<SessionView> {
  const res = await cluster.api(node, "/api/sessions", { method: "POST", body: JSON.stringify(body) });
  const json = (await res.json()) as { session: SessionView };
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json.session;
}

async function list(node: string): Promise<SessionView[]> {
  const res = await cluster.api(node, "/api/sessions");
  return ((await res.json()) as { sessions: SessionView[] }).sessions;
}

/** Output lines `line-N` as numbers, in the order received. */
function lineNumbers(client: WireClient, session: string): number[] {
  return [...client.output(session).matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
}

const counter = (n: number) =>
  `i=1; while [ $i -le ${n} ]; do echo line-$i; i=$((i+1)); sleep 0.01; done; sleep 600`;

describe("a cluster of three hub nodes", () => {
  it("shows the nodes, their hosts and this node in dispatch status", async () => {
    const status = await cluster.node("a").cli(["status"]);
    expect(status.code, status.stderr).toBe(0);
    expect(status.stdout).toMatch(/cluster\s+node a; 3 of 3 nodes alive/);
    expect(status.stdout).toContain("host      none here: a cluster node's hosts dial in");
    expect(status.stdout).toMatch(
      /\n\s+a\s+alive\s+http:\/\/127\.0\.0\.1:\d+\s+clients \d+\s+hosts none \(this node\)/,
    );
    expect(status.stdout).toMatch(/\n\s+b\s+alive\s+http:\/\/127\.0\.0\.1:\d+\s+clients \d+\s+hosts h1\n/);
    expect(status.stdout).toMatch(/\n\s+c\s+alive\s+http:\/\/127\.0\.0\.1:\d+\s+clients \d+\s+hosts h2\n/);
  });

  it("streams a session whose host is on node b live to a client on node a, exactly once and in order, and to a client reconnecting on node c from its last seq", async () => {
    const total = 300;
    const onA = await cluster.client("a");
    const session = await create("a", {
      name: "counting",
      host: "h1",
      command: ["sh", "-c", counter(total)],
    });
    expect(session.reachable).toBe(true);
    await onA.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    // Part-way through, a second client "reconnects" on node c from where the first one is.
    await waitFor(() => lineNumbers(onA, session.id).length >= 50, { message: "50 lines on node a" });
    const seenSeqs = onA.seqs(session.id);
    const lastSeq = seenSeqs[seenSeqs.length - 1] as number;
    const onC = await cluster.client("c");
    await onC.request({ type: "attach", session: session.id, afterSeq: lastSeq, snapshot: false });

    const last = `line-${total}\r\n`;
    await onA.waitForOutput(session.id, last, 30_000);
    await onC.waitForOutput(session.id, last, 30_000);
    expect(lineNumbers(onA, session.id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
    const seqsA = onA.seqs(session.id);
    expect(seqsA).toEqual(seqsA.map((_, i) => (seqsA[0] as number) + i));
    // Node c sent exactly what came after the seq it was given: no gap, no duplicate.
    const seqsC = onC.seqs(session.id);
    expect(seqsC[0]).toBe(lastSeq + 1);
    expect(seqsC).toEqual(seqsC.map((_, i) => lastSeq + 1 + i));
    expect(seqsA.slice(seqsA.indexOf(lastSeq) + 1, seqsA.indexOf(lastSeq) + 1 + seqsC.length)).toEqual(seqsC);
    expect(onA.output(session.id)).toContain(onC.output(session.id));
  });

  it("carries input from a client on node a to a session whose host is on node c", async () => {
    const onA = await cluster.client("a");
    const session = await create("b", { name: "echoing", host: "h2", command: ["cat"] });
    await onA.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    await onA.request({ type: "input", session: session.id, data: "typed-on-node-a\n" });
    await onA.waitForOutput(session.id, "typed-on-node-a", 15_000);
    // cat echoes the line back: the PTY's echo and cat's own copy, both stored and delivered once.
    await onA.waitForOutput(session.id, "typed-on-node-a\r\ntyped-on-node-a\r\n", 15_000);
  });

  it("answers a kind's host command (the editor's file browser) from node a for a host on node b", async () => {
    const res = await cluster.api("a", "/api/files?host=h1");
    const listing = (await res.json()) as { path: string; entries: { name: string }[] };
    expect(res.status, JSON.stringify(listing)).toBe(200);
    expect(listing.path).toBe(realpathSync(cluster.hosts.get("h1")?.home as string));
  });

  it("refuses to relay a host message too large for the host link, saying so; the node holding the host carries on", async () => {
    await create("a", {
      kind: "bulky",
      name: "heavy",
      host: "h1",
      options: { reviveBytes: 9 * 1024 * 1024 },
    });
    expect((await cluster.api("a", "/api/sessions/heavy", { method: "DELETE" })).status).toBe(200);
    // Its revive's spawn is 9 MiB: node b used to close the peer socket on it, and exit on its error.
    const revived = await cluster.api("a", "/api/sessions/heavy/revive", { method: "POST", body: "{}" });
    const body = (await revived.json()) as { error?: { message: string } };
    expect(revived.status, JSON.stringify(body)).toBe(413);
    expect(body.error?.message).toMatch(
      /^The 'spawn' message for host 'h1' is 9\.0 MiB, more than the 8\.0 MiB one message from the hub to a host may hold, so the hub did not send it/,
    );
    // Node b still holds h1, and answers for it through the relay.
    expect(await cluster.ownerOf("h1")).toBe("b");
    const listing = await cluster.api("a", "/api/files?host=h1");
    expect(listing.status).toBe(200);
  });

  it("keeps a host's lease with its live node: the same host dialing node c is refused, naming node b", async () => {
    const url = `${cluster.node("c").url.replace(/^http/, "ws")}/host`;
    const ws = new WebSocket(url, { headers: { authorization: `Bearer ${cluster.hosts.get("h1")?.token}` } });
    const closed = new Promise<{ code: number; reason: string }>((resolve) =>
      ws.on("close", (code, reason) => resolve({ code, reason: reason.toString() })),
    );
    await new Promise((resolve, reject) => {
      ws.once("open", resolve);
      ws.once("error", reject);
    });
    ws.send(
      JSON.stringify({
        type: "hello",
        protocol: 1,
        host: {
          ...{ id: "h1", name: "h1", hostname: "twin", os: "linux", arch: "x64", version: "0.0.0", pid: 1 },
          ...{ capabilities: [], labels: {} },
        },
        sessions: [],
      }),
    );
    expect(await closed).toEqual({
      code: 4009,
      reason: "linked to hub node 'b'; dial again once that link ends",
    });
    expect(await cluster.ownerOf("h1")).toBe("b");
  });

  it("lists as exited on every node sessions created on node a that end at once on node b's host", async () => {
    const quick = await Promise.all(
      [1, 2, 3, 4, 5].map((i) => create("a", { name: `quick-${i}`, host: "h1", command: ["true"] })),
    );
    for (const node of ["a", "b", "c"]) {
      await waitFor(
        async () => {
          const sessions = await list(node);
          return quick.every((q) => sessions.find((s) => s.id === q.id)?.status === "exited");
        },
        { message: `node ${node} lists all five exited` },
      );
    }
  });

  it("renames and kills from node a a session whose host is on node b; every node's list shows it", async () => {
    const session = await create("c", { name: "doomed", host: "h1", command: ["sleep", "600"] });
    const renamed = await cluster.api("a", "/api/sessions/doomed", {
      method: "PATCH",
      body: JSON.stringify({ name: "renamed" }),
    });
    expect(renamed.status).toBe(200);
    for (const node of ["a", "b", "c"]) {
      await waitFor(async () => (await list(node)).find((s) => s.id === session.id)?.name === "renamed", {
        message: `node ${node} lists the new name`,
      });
    }
    const killed = await cluster.api("a", "/api/sessions/renamed", { method: "DELETE" });
    expect(killed.status).toBe(200);
    expect(((await killed.json()) as { session: SessionView }).session.status).toBe("exited");
    for (const node of ["a", "b", "c"]) {
      await waitFor(async () => (await list(node)).find((s) => s.id === session.id)?.status === "exited", {
        message: `node ${node} lists it exited`,
      });
    }
  });

  it("a share link revoked on node a cuts off its viewer on node b at once, not at b's periodic check", async () => {
    const session = await create("a", { name: "shared", host: "h1", command: ["cat"] });
    const made = await cluster.api("a", "/api/sessions/shared/share", { method: "POST", body: "{}" });
    const { share, token } = (await made.json()) as { share: { id: string }; token: string };
    const opened = await fetch(`${cluster.node("b").url}/share/${token}`, { redirect: "manual" });
    const cookie = opened.headers.get("set-cookie")?.split(";")[0] as string;
    const viewer = await WireClient.open(cluster.node("b").url, { cookie });
    try {
      expect((await viewer.request({ type: "hello", protocol: 1 })).type).toBe("welcome");
      await viewer.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
      expect((await cluster.api("a", `/api/shares/${share.id}`, { method: "DELETE" })).status).toBe(200);
      // Well inside the 30 s after which node b would have noticed by itself.
      const cut = await viewer.waitFor((m) => m.type === "error" && m.code === "unauthorized", 15_000);
      expect(cut.message).toMatch(/share link was revoked or has expired/);
      await waitFor(() => viewer.closed, { message: "node b closes the viewer's socket" });
    } finally {
      await viewer.close();
    }
  });

  it("refuses to start a node whose access key is not the cluster's, saying which key to give", async () => {
    const home = mkdtempSync(join(tmpdir(), "dispatch-cluster-badkey-"));
    try {
      const env = cleanEnv({
        DISPATCH_HOME: home,
        HOME: home,
        DISPATCH_STORE: cluster.databaseUrl,
        DISPATCH_NODE: "d",
        DISPATCH_KEY: "dsk_not-the-cluster-key",
      });
      const result = await runCli(["serve", "--port", "0"], env, { timeoutMs: 30_000 });
      expect(result.code).not.toBe(0);
      expect(result.stderr).toMatch(/access key is not the cluster's: give every node the same DISPATCH_KEY/);
    } finally {
      rmSync(home, { recursive: true, force: true });
    }
  });

  it("refuses a session on a host no node holds, or on no host at all, saying what to do", async () => {
    const res = await cluster.api("a", "/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "nowhere", host: "h9", command: ["true"] }),
    });
    // No node has heard of h9: no such host (one registered but connected nowhere is 503).
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain("no host 'h9'");
    const noHost = await cluster.api("a", "/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "where", command: ["true"] }),
    });
    expect(noHost.status).toBe(400);
    expect(((await noHost.json()) as { error: { message: string } }).error.message).toMatch(
      /cluster node and runs no local host: name one with --host/,
    );
  });

  it("lists every host as connected with its health on every node, and a token revoked on node a cuts its host off on node c", async () => {
    type Listed = { name: string; status: string; health: string; rttMs: number | null };
    for (const node of ["a", "b", "c"]) {
      const res = await cluster.api(node, "/api/hosts");
      const hosts = ((await res.json()) as { hosts: Listed[] }).hosts;
      expect(hosts.filter((h) => h.name.startsWith("h")).map((h) => [h.name, h.status])).toEqual([
        ["h1", "connected"],
        ["h2", "connected"],
      ]);
      // No local host on a cluster node: no node could reach it.
      expect(hosts.map((h) => h.name)).not.toContain("local");
      // Health and round trip come from the node that holds the link, on the others too.
      await waitFor(
        async () => {
          const listed = ((await (await cluster.api(node, "/api/hosts")).json()) as { hosts: Listed[] })
            .hosts;
          return listed
            .filter((h) => h.name.startsWith("h"))
            .every((h) => h.health !== "unknown" && typeof h.rttMs === "number");
        },
        { message: `node ${node} shows h1's and h2's health` },
      );
    }
    const revoked = await cluster.node("a").cli(["hosts", "token", "revoke", "h2"]);
    expect(revoked.code, revoked.stderr).toBe(0);
    await waitFor(async () => (await cluster.ownerOf("h2")) === undefined, {
      message: "h2's lease released",
    });
    for (const node of ["a", "b", "c"]) {
      await waitFor(async () => (await list(node)).find((s) => s.name === "echoing")?.reachable === false, {
        message: `node ${node} shows h2's session unreachable`,
      });
    }
  });

  it("moves a host's intake to node b when its node a is killed: a client on node c sees every line once, in order", async () => {
    const proxy = await startProxy(cluster.node("a").port);
    try {
      await cluster.startHost("h3", "a", { urls: [proxy.url] });
      expect(await cluster.ownerOf("h3")).toBe("a");
      const total = 250;
      const onC = await cluster.client("c");
      const session = await create("c", {
        name: "moving",
        host: "h3",
        command: ["sh", "-c", counter(total)],
      });
      await onC.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
      await waitFor(() => lineNumbers(onC, session.id).length >= 60, { message: "60 lines before the kill" });
      // Node a dies; the host's next dial through the same address lands on node b.
      proxy.target(cluster.node("b").port, { dropLinks: true });
      process.kill(cluster.node("a").pids().hub as number, "SIGKILL");
      await waitFor(async () => (await cluster.ownerOf("h3")) === "b", {
        timeoutMs: 20_000,
        message: "node b holds h3's lease",
      });
      await onC.waitForOutput(session.id, `line-${total}\r\n`, 30_000);
      expect(lineNumbers(onC, session.id)).toEqual(Array.from({ length: total }, (_, i) => i + 1));
      const seqs = onC.seqs(session.id);
      expect(seqs).toEqual(seqs.map((_, i) => (seqs[0] as number) + i));
    } finally {
      await proxy.close();
    }
  });
});
