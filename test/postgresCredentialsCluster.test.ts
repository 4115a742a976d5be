/**
 * Credentials remembered through a PostgreSQL outage on a cluster: a user removed through one
 * node must not be let in by another node that verified their token before, once the server
 * is down; a user nobody touched still is. Real parts: a real PostgreSQL server, two real hub
 * nodes (`cluster.ts`), real WebSocket clients.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { type Cluster, startCluster } from "./cluster.js";
import { waitFor } from "./harness.js";
import { bearer, signIn } from "./signIn.js";
import { WireClient } from "./wire.js";

/** The close code of a connection whose principal lost its access (`ClientConnection`). */
const ACCESS_REVOKED_CLOSE = 4403;

let cluster: Cluster;

beforeAll(async () => {
  cluster = await startCluster({
    nodes: ["a", "b"],
    env: { DISPATCH_PG_TIMEOUT_MS: "2000", DISPATCH_PG_CONNECT_TIMEOUT_MS: "2000" },
  });
}, 90_000);

afterAll(async () => {
  await cluster?.stop();
});

async function addUser(name: string): Promise<string> {
  const made = await cluster.api("a", "/api/users", {
    method: "POST",
    body: JSON.stringify({ name, role: "writer" }),
  });
  expect(made.status).toBe(201);
  return ((await made.json()) as { token: string }).token;
}

it("a user removed on node b is refused on node a while the server is down; an untouched user is let in", async () => {
  const eve = await addUser("eve");
  const fay = await addUser("fay");
  const a = cluster.node("a");
  expect(await signIn(a, bearer(fay))).toBe("welcome");
  // Eve stays connected to node a: its closing says node a heard of her removal on node b.
  const eveOnA = await WireClient.open(a.url, bearer(eve));
  try {
    expect(await eveOnA.request({ type: "hello", protocol: 1 })).toMatchObject({ type: "welcome" });
    expect((await cluster.api("b", "/api/users/eve", { method: "DELETE" })).status).toBe(200);
    await waitFor(() => eveOnA.closeCode !== undefined, {
      message: "node a closed eve's connection on node b's notice",
    });
    expect(eveOnA.closeCode).toBe(ACCESS_REVOKED_CLOSE);
  } finally {
    await eveOnA.close();
  }

  await cluster.server.halt();
  try {
    await waitFor(
      async () => {
        const status = (await (await cluster.api("a", "/api/status")).json()) as { storage: { ok: boolean } };
        return !status.storage.ok;
      },
      { timeoutMs: 60_000, message: "node a says its storage is failing" },
    );
    expect(await signIn(a, bearer(fay)), "fay, untouched").toBe("welcome");
    expect(await signIn(a, bearer(eve)), "eve, removed on node b").toMatch(
      /^HTTP 503: the hub's store is unavailable/,
    );
  } finally {
    await cluster.server.resume();
  }
}, 180_000);
