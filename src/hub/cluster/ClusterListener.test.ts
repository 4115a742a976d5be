/**
 * The LISTEN connection against a real server: notifications arrive, a killed or silent
 * connection comes back and says so, and one that never got to listen is closed.
 */
import pg from "pg";
import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import { startBlackholeProxy } from "../../../test/blackholeProxy.js";
import { waitFor } from "../../../test/harness.js";
import { type PostgresServer, startPostgres } from "../../../test/postgresServer.js";
import { ClusterListener } from "./ClusterListener.js";

let server: PostgresServer;
let url: string;

beforeAll(async () => {
  server = await startPostgres();
  url = await server.database();
});
afterAll(async () => {
  await server?.stop();
});

async function sql(text: string): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(text);
  } finally {
    await client.end();
  }
}

it("hears notifications, and after its connection is killed reconnects, says so and hears them again", async () => {
  const heard: string[] = [];
  let reconnects = 0;
  const listener = new ClusterListener({
    url,
    channels: ["one", "two"],
    logger: pino({ level: "silent" }),
    onNotify: (channel, payload) => heard.push(`${channel}:${payload}`),
    onReconnect: () => reconnects++,
  });
  try {
    await listener.start();
    await sql("NOTIFY one, 'a'; NOTIFY two, 'b'; NOTIFY three, 'not listened to'");
    await waitFor(() => heard.length === 2);
    expect(heard).toEqual(["one:a", "two:b"]);
    expect(reconnects).toBe(0);
    await sql(
      "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query LIKE 'LISTEN%' AND pid <> pg_backend_pid()",
    );
    await waitFor(() => reconnects === 1, { message: "reconnected" });
    await sql("NOTIFY one, 'c'");
    await waitFor(() => heard.includes("one:c"), { message: "heard after the reconnect" });
  } finally {
    await listener.close();
  }
});

it("finds its link silent by its own check and reconnects, hearing notifications again", async () => {
  const proxy = await startBlackholeProxy(server.port);
  const heard: string[] = [];
  let reconnects = 0;
  process.env.DISPATCH_PG_TIMEOUT_MS = "500";
  const listener = new ClusterListener({
    url: url.replace(`:${server.port}/`, `:${proxy.port}/`),
    channels: ["one"],
    logger: pino({ level: "silent" }),
    onNotify: (channel, payload) => heard.push(`${channel}:${payload}`),
    onReconnect: () => reconnects++,
  });
  try {
    await listener.start();
    // Silent, not closed: the proxy's kernel answers keepalives, so only a query finds it.
    proxy.blackhole();
    let held = false;
    void proxy.nextAttempt().then(() => {
      held = true;
    });
    await waitFor(() => held, { timeoutMs: 20_000, message: "a reconnect after its check met the silence" });
    proxy.resume();
    await waitFor(() => reconnects === 1, {
      timeoutMs: 20_000,
      message: "reconnected after the silent link",
    });
    await sql("NOTIFY one, 'after'");
    await waitFor(() => heard.includes("one:after"), { message: "heard after the reconnect" });
  } finally {
    delete process.env.DISPATCH_PG_TIMEOUT_MS;
    await listener.close();
    await proxy.close();
  }
});

it("ends a connection whose LISTEN went unanswered instead of leaving it open", async () => {
  const proxy = await startBlackholeProxy(server.port);
  process.env.DISPATCH_PG_TIMEOUT_MS = "500";
  const listener = new ClusterListener({
    url: url.replace(`:${server.port}/`, `:${proxy.port}/`),
    channels: ["one"],
    logger: pino({ level: "silent" }),
    onNotify: () => undefined,
    onReconnect: () => undefined,
  });
  try {
    // The LISTEN reaches the server; its answer never comes back.
    proxy.blackholeAfter("LISTEN");
    await expect(listener.start()).rejects.toThrow(/timeout/i);
    await waitFor(() => proxy.relayedOpen() === 0, {
      timeoutMs: 10_000,
      message: "the connection whose LISTEN went unanswered was closed",
    });
  } finally {
    delete process.env.DISPATCH_PG_TIMEOUT_MS;
    await listener.close();
    await proxy.close();
  }
});
