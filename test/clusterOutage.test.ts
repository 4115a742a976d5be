/**
 * Two hub nodes on one real PostgreSQL that goes away for a while: a session whose host is on
 * node b prints while the database is down, and a client attached on node a gets that output
 * once the database is back, though the session prints nothing more. Node a's first read of
 * it after the outage fails (its fault file: as when its own connection to the server is the
 * last to come back), so that read must be made again.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Cluster, startCluster } from "./cluster.js";
import { waitFor } from "./harness.js";

let cluster: Cluster;
let dir: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "dispatch-cluster-outage-"));
  cluster = await startCluster({ nodes: ["b"] });
  await cluster.startNode("a", { DISPATCH_TEST_FAULT_FILE: join(dir, "a-fails") });
  await cluster.startHost("h1", "b");
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** Events of `session` holding the line printed during the outage, as stored. */
async function storedLines(session: string): Promise<number> {
  const client = new pg.Client({ connectionString: cluster.databaseUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: number }>(
      "SELECT count(*)::int AS n FROM events WHERE session_id = $1 AND encode(data, 'escape') LIKE '%printed-while-away%'",
      [session],
    );
    return rows[0]?.n ?? 0;
  } finally {
    await client.end();
  }
}

/** Node a's logged failures of an event read (its fault file) made after `since` (ms). */
function failedReadsSince(since: number): number {
  const log = join(cluster.node("a").home, "hub.log");
  if (!existsSync(log)) return 0;
  return readFileSync(log, "utf8")
    .split("\n")
    .filter((line) => line.includes("injected by DISPATCH_TEST_FAULT_FILE") && line.includes("readEvents"))
    .filter((line) => (JSON.parse(line) as { time: number }).time > since).length;
}

describe("a cluster whose PostgreSQL server goes away and comes back", () => {
  it("delivers to a client on node a what node b's session printed during the outage, with nothing printed after", async () => {
    const go = join(dir, "go");
    const res = await cluster.api("a", "/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name: "quiet",
        host: "h1",
        // Prints once when told to, then stays silent: nothing later can carry the line along.
        command: [
          "sh",
          "-c",
          `echo ready; while [ ! -e '${go}' ]; do sleep 0.05; done; echo printed-while-away; sleep 600`,
        ],
      }),
    });
    const { session } = (await res.json()) as { session: { id: string } };
    expect(res.status).toBe(201);
    const onA = await cluster.client("a");
    await onA.request({ type: "attach", session: session.id, afterSeq: 0, snapshot: false });
    await onA.waitForOutput(session.id, "ready", 15_000);

    await cluster.server.halt();
    try {
      writeFileSync(go, "");
      // Node b saw the line and could not store it.
      await waitFor(async () => /storage\s+FAILING/.test((await cluster.node("b").cli(["status"])).stdout), {
        timeoutMs: 20_000,
        message: "node b reports its storage failing",
      });
      writeFileSync(join(dir, "a-fails"), "");
    } finally {
      await cluster.server.resume();
    }
    // Node b stores the line and notifies; node a's reads of it fail from then on.
    let storedBy = 0;
    await waitFor(
      async () => {
        storedBy = Date.now();
        return (await storedLines(session.id)) > 0;
      },
      { timeoutMs: 30_000, message: "node b stored the line printed during the outage" },
    );
    await waitFor(() => failedReadsSince(storedBy) > 0, {
      timeoutMs: 30_000,
      message: "node a failed to read the line",
    });
    rmSync(join(dir, "a-fails"));
    expect(existsSync(go)).toBe(true);
    await onA.waitForOutput(session.id, "printed-while-away", 30_000);
  });
});
