/**
 * A real hub on a real PostgreSQL reached through a small TCP proxy that can black-hole the
 * link: the hub's side stays open, bytes go nowhere and no answer comes, as when the network
 * drops packets or a proxy hangs. The hub must not block on it without bound: it says its
 * storage is failing, keeps answering meanwhile, and recovers by itself once the link is back.
 */
import { connect, createServer, type Socket } from "node:net";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { WireClient } from "./wire.js";

interface BlackholeProxy {
  port: number;
  /** From now on nothing passes either way, and new connections are accepted and ignored. */
  blackhole(): void;
  /** Passes again: connections that were black-holed are cut (their bytes were lost). */
  resume(): void;
  close(): Promise<void>;
}

async function startBlackholeProxy(target: number): Promise<BlackholeProxy> {
  let holing = false;
  const open = new Set<Socket>();
  const track = (socket: Socket) => {
    open.add(socket);
    socket.on("close", () => open.delete(socket));
    socket.on("error", () => undefined);
  };
  const server = createServer((inbound) => {
    track(inbound);
    if (holing) {
      inbound.on("data", () => undefined);
      return;
    }
    const outbound = connect(target, "127.0.0.1");
    track(outbound);
    inbound.on("data", (chunk) => holing || outbound.write(chunk));
    outbound.on("data", (chunk) => holing || inbound.write(chunk));
    inbound.on("close", () => outbound.destroy());
    outbound.on("close", () => inbound.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  return {
    port: typeof address === "object" && address ? address.port : 0,
    blackhole() {
      holing = true;
    },
    resume() {
      holing = false;
      for (const socket of open) socket.destroy();
    },
    close() {
      for (const socket of open) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

let server: PostgresServer;
let proxy: BlackholeProxy | undefined;
let hub: HubHandle | undefined;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await hub?.stop();
  await proxy?.close();
  await cleanupAll();
  await server?.stop();
});

async function storedOutput(url: string): Promise<string> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ data: Buffer }>("SELECT data FROM events WHERE type = 'output'");
    return rows.map((row) => row.data.toString("latin1")).join("");
  } finally {
    await client.end();
  }
}

describe("a hub whose PostgreSQL link drops every packet", () => {
  it("says its storage is failing in bounded time, keeps answering, and recovers once the link is back", async () => {
    const url = await server.database();
    proxy = await startBlackholeProxy(server.port);
    const throughProxy = url.replace(`:${server.port}/`, `:${proxy.port}/`);
    hub = await startHub({
      env: {
        DISPATCH_STORE: throughProxy,
        DISPATCH_PG_TIMEOUT_MS: "2000",
        DISPATCH_PG_CONNECT_TIMEOUT_MS: "2000",
      },
    });
    const h = hub;
    const created = await h.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "quiet", command: ["cat"] }),
    });
    expect(created.status).toBe(201);
    const { session } = (await created.json()) as { session: { id: string } };

    proxy.blackhole();
    const client = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
    try {
      expect(await client.request({ type: "hello", protocol: 1 })).toMatchObject({ type: "welcome" });
      // The echo is output the hub must store: its write meets the silent server.
      await client.request({ type: "input", session: session.id, data: "typed-into-the-void\n" });
    } finally {
      await client.close();
    }
    await waitFor(
      async () =>
        /storage\s+FAILING: the PostgreSQL store/.test(
          (await h.cli(["status"], { timeoutMs: 20_000 })).stdout,
        ),
      { timeoutMs: 60_000, message: "dispatch status says the storage is failing" },
    );
    const status = await h.cli(["status"]);
    expect(status.stdout).toMatch(/did not answer within 2 s|cannot connect to PostgreSQL/);

    proxy.resume();
    await waitFor(async () => /storage\s+ok/.test((await h.cli(["status"])).stdout), {
      timeoutMs: 60_000,
      message: "storage ok again once the link is back",
    });
    await waitFor(async () => (await storedOutput(url)).includes("typed-into-the-void"), {
      timeoutMs: 30_000,
      message: "the echo typed during the black hole stored",
    });
  }, 180_000);
});
