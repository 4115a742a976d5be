/**
 * Prometheus metrics of a real hub: `/metrics` with the hub's credentials (owner only), and the
 * same text on the loopback-only DISPATCH_METRICS_PORT without credentials. The figures follow
 * what happens: a running session, an attached client, events stored and sent, store calls
 * timed, fan-out lag observed, the process's memory.
 */
import { createServer } from "node:net";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { WireClient } from "./wire.js";

const hubs: HubHandle[] = [];
const clients: WireClient[] = [];
afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const h of hubs.splice(0)) await h.stop();
});
afterAll(cleanupAll);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** The value of one sample line (`name{labels} value`), or undefined when absent. */
function sample(text: string, name: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${name} `));
  return line === undefined ? undefined : Number(line.slice(name.length + 1));
}

describe("metrics", () => {
  it("counts sessions, clients, events in and out, store latency and memory, behind auth", async () => {
    const metricsPort = await freePort();
    const h = await startHub({ env: { DISPATCH_METRICS_PORT: String(metricsPort) } });
    hubs.push(h);
    const created = await h
      .api("/api/sessions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          name: "ticker",
          command: ["sh", "-c", "for i in 1 2 3 4 5; do echo tick-$i; done; sleep 600"],
        }),
      })
      .then((r) => r.json());
    const c = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
    clients.push(c);
    await c.request({ type: "hello", protocol: 1 });
    await c.request({ type: "attach", session: created.session.id, afterSeq: 0, snapshot: false });
    await c.waitForOutput(created.session.id, "tick-5");

    const unauthenticated = await fetch(`${h.url}/metrics`);
    expect(unauthenticated.status).toBe(401);

    const res = await h.api("/metrics");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/text\/plain/);
    const text = await res.text();
    expect(sample(text, 'dispatch_sessions{status="running"}')).toBe(1);
    expect(sample(text, 'dispatch_hosts{status="connected"}')).toBe(1);
    expect(sample(text, "dispatch_clients")).toBe(1);
    expect(sample(text, "dispatch_events_stored_total")).toBeGreaterThanOrEqual(2);
    expect(sample(text, "dispatch_events_sent_total")).toBeGreaterThanOrEqual(2);
    expect(sample(text, 'dispatch_store_seconds_count{call="appendBatch"}')).toBeGreaterThan(0);
    expect(sample(text, "dispatch_fanout_lag_seconds_count")).toBeGreaterThanOrEqual(2);
    expect(sample(text, "dispatch_process_resident_memory_bytes")).toBeGreaterThan(10_000_000);

    // The loopback listener serves the same registry without credentials, and only /metrics.
    await waitFor(async () => (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).ok, {
      message: "the loopback metrics listener",
    });
    const loopback = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(sample(loopback, "dispatch_clients")).toBe(1);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/api/status`)).status).toBe(404);
  });
});
