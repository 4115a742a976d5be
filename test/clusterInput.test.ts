/**
 * Input typed on one cluster node for a session whose host is linked to another is
 * acknowledged only once that node took it. Here node c, holding host h, is stopped with the
 * input on its way to it and then dies: the client on node a used to get OK at once, while
 * the text never reached the host; now it gets `host_unavailable`, and the same input sent
 * again (same id) once the host dialed node a arrives, once.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, createAttached, startCluster } from "./cluster.js";
import { waitFor } from "./harness.js";

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({ nodes: ["c", "a"] });
  // Node c first: the host dials it, and node a once c is gone.
  await cluster.startHost("h", ["c", "a"]);
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

function kill(pid: number | undefined, signal: NodeJS.Signals): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

describe("input relayed to the node that holds the host", () => {
  it("is refused, not acknowledged, when that node dies before taking it; sent again, it arrives once", async () => {
    expect(await cluster.ownerOf("h")).toBe("c");
    const { id, client: onA } = await createAttached(cluster, "a", {
      name: "relayed",
      host: "h",
      command: ["cat"],
    });

    // Node c stops for good: nothing restarts it, and it takes nothing in meanwhile.
    const c = cluster.node("c");
    kill(Number(readFileSync(join(c.home, "supervisor.pid"), "utf8").trim()), "SIGKILL");
    const hub = c.pids().hub;
    kill(hub, "SIGSTOP");
    const input = {
      type: "input",
      session: id,
      data: "relayed\n",
      id: { stream: "stream-h7", seq: 1 },
    };
    onA.send({ ...input, ref: 9001 });
    // Node a handles a client's messages in order: once it answers this, the input is on its
    // way to node c (whose process holds its database lock: still the one to send to).
    await onA.request({ type: "ping" });
    kill(hub, "SIGKILL");
    const answer = await onA.waitFor((m) => m.ref === 9001, 20_000);
    expect(answer.type, JSON.stringify(answer)).toBe("error");
    expect(answer.code).toBe("host_unavailable");
    expect(answer.message).toMatch(/try again/);

    await waitFor(async () => (await cluster.ownerOf("h")) === "a", {
      timeoutMs: 30_000,
      message: "host h linked to node a",
    });
    const again = await onA.request(input, 20_000);
    expect(again.type, JSON.stringify(again)).toBe("result");
    // Twice: the PTY's echo and cat's copy; a third would be the first try arriving late.
    const times = () => onA.output(id).split("relayed\r\n").length - 1;
    await waitFor(() => times() === 2, { timeoutMs: 20_000, message: "the line echoed by cat" });
    const more = await onA.request({ ...input, data: "after\n", id: { stream: "stream-h7", seq: 2 } });
    expect(more.type).toBe("result");
    await onA.waitForOutput(id, "after\r\nafter\r\n", 20_000);
    expect(times()).toBe(2);
  });
});
