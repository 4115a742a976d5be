/**
 * A cluster node that stalls (its process stopped for a few seconds, as a loaded machine can
 * hold it) is late, not gone: input typed on another node for a session whose host is linked
 * to it is taken, not refused with 503, and acknowledged once the node runs again and took it
 * (test/clusterInput.test.ts: a node that dies instead); it reaches the host then. The node
 * does not drop its host's link for pongs that waited while it was stopped.
 *
 * And `dispatch send` to a session whose host's link just dropped waits for the host to dial
 * back (the hub typed nothing, so sending again is safe) rather than failing at once.
 *
 * Seen in a loaded full run: test/cluster.test.ts's input from node a to node c's host got
 * `host_unavailable` (HTTP 503) while both nodes were up.
 */
import { spawn } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, closedPort, createAttached, startCluster, startProxy } from "./cluster.js";
import { BIN, type CliResult, REPO_ROOT, waitFor } from "./harness.js";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["a", "c"] });
  await cluster.startHost("h2", "c");
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

/** Whether node `asked` counts node `node` alive now. */
async function aliveOn(asked: string, node: string): Promise<boolean | undefined> {
  const res = await cluster.api(asked, "/api/status");
  const body = (await res.json()) as { cluster?: { nodes: { id: string; alive: boolean }[] } };
  return body.cluster?.nodes.find((n) => n.id === node)?.alive;
}

/** Stops node `name`'s process until the returned function is called (also on a failed test). */
function stall(name: string): () => void {
  const pid = cluster.node(name).pids().hub as number;
  process.kill(pid, "SIGSTOP");
  return () => process.kill(pid, "SIGCONT");
}

describe("a cluster node that stalls", () => {
  it("takes input from a client on node a for its host's session, and delivers it once it runs again", async () => {
    const stalled = { name: "stalled", host: "h2", command: ["cat"] };
    const { id, client: onA } = await createAttached(cluster, "a", stalled);

    const dials = () => cluster.hosts.get("h2")?.log.match(/connected to the hub/g)?.length ?? 0;
    expect(dials()).toBe(1);
    const resume = stall("c");
    let sending: Promise<CliResult> | undefined;
    try {
      // Past its heartbeat's deadline: node a no longer counts node c alive.
      await waitFor(async () => (await aliveOn("a", "c")) === false, {
        timeoutMs: 20_000,
        message: "node a sees node c's heartbeat stop",
      });
      onA.send({ type: "input", session: id, data: "typed-on-a\n", ref: 9001 });
      // Node a handles a client's messages in order: once it answers this, the input is on its
      // way to node c, and its answer waits for node c.
      await onA.request({ type: "ping" });
      // Answered once node c runs again, too (it may reach node a before or after that).
      sending = cluster.node("a").cli(["send", "stalled", "--enter", "sent-by-cli"]);
    } finally {
      resume();
    }
    const typed = await onA.waitFor((m) => m.ref === 9001, 20_000);
    expect(typed.type, JSON.stringify(typed)).toBe("result");
    const sent = await sending;
    expect(sent?.code, sent?.stderr).toBe(0);
    // Each line twice, the PTY's echo and cat's copy (in whatever order the two lines came).
    const times = (line: string) => onA.output(id).split(`${line}\r\n`).length - 1;
    await waitFor(() => times("typed-on-a") === 2 && times("sent-by-cli") === 2, {
      timeoutMs: 20_000,
      message: "both lines echoed by cat",
    });
    // Node c kept its host: the pongs that waited in its socket while it was stopped counted.
    await waitFor(async () => (await cluster.ownerOf("h2")) === "c", { message: "node c holds h2 again" });
    expect(dials()).toBe(1);
  });
});

describe("dispatch send to a session whose host's link dropped", () => {
  it("says it waits, sends once the host dials back, and the text arrives once", async () => {
    const proxy = await startProxy(cluster.node("c").port);
    try {
      await cluster.startHost("h3", "c", { urls: [proxy.url] });
      const res = await cluster.api("a", "/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "redialing", host: "h3", command: ["cat"] }),
      });
      expect(res.status).toBe(201);
      const { session } = (await res.json()) as { session: { id: string } };
      // The link drops and the host's dials are refused: its session runs on, unreachable.
      proxy.target(await closedPort(), { dropLinks: true });
      await waitFor(async () => (await cluster.ownerOf("h3")) === undefined, { message: "h3 unlinked" });

      const child = spawn(process.execPath, [BIN, "send", "redialing", "--enter", "typed-late"], {
        env: cluster.node("a").env,
        cwd: REPO_ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      });
      let stderr = "";
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => {
        stderr += chunk;
      });
      const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
      await waitFor(() => /sending again/.test(stderr) || child.exitCode !== null, {
        message: "dispatch send refused once",
      });
      expect(stderr).toMatch(
        /^dispatch send: host 'h3' is not connected right now; try again shortly \(sending again for up to 10 s\)\n$/,
      );
      proxy.target(cluster.node("c").port);
      expect(await exited, stderr).toBe(0);

      const onA = await cluster.client("a");
      await onA.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
      await onA.waitForOutput(session.id, "typed-late\r\ntyped-late\r\n", 20_000);
      expect(onA.output(session.id).split("typed-late").length - 1).toBe(2);
    } finally {
      await proxy.close();
    }
  });
});
