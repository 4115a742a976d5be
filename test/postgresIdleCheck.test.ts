/**
 * A hub on a real PostgreSQL whose idle connection goes bad: the link goes silent (a black-hole
 * proxy: the kernel's keepalives are answered by the proxy, so TCP never finds it), or the
 * server ends the hub's backends (`pg_terminate_backend`). The hub must find out while idle,
 * from its own connection check, not from the next store call (which would block on the silent
 * link for the whole DISPATCH_PG_TIMEOUT_MS, or fail on the ended backend), and open a new
 * connection in the background.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type HeldAttempt, startBlackholeProxy } from "./blackholeProxy.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { WireClient } from "./wire.js";

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});
afterAll(async () => {
  await cleanupAll();
  await server?.stop();
});

async function catSession(h: HubHandle, name: string): Promise<string> {
  const created = await h.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, command: ["sh", "-c", "stty -echo; exec cat"] }),
  });
  expect(created.status).toBe(201);
  return ((await created.json()) as { session: { id: string } }).session.id;
}

async function attachedClient(h: HubHandle, session: string): Promise<WireClient> {
  const client = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
  expect(await client.request({ type: "hello", protocol: 1 })).toMatchObject({ type: "welcome" });
  expect(
    await client.request({ type: "attach", session, afterSeq: 0, snapshot: false }, 30_000),
  ).toMatchObject({ type: "attached" });
  return client;
}

async function withAdmin<T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/** Pids of the hub's backends on the database of `url` (libpq names them `dispatch`). */
async function hubBackends(url: string): Promise<number[]> {
  return withAdmin(url, async (client) => {
    const { rows } = await client.query<{ pid: number }>(
      "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dispatch'",
    );
    return rows.map((row) => row.pid);
  });
}

/**
 * Until the hub has left its connection idle: the writes that follow output (a preview, a
 * snapshot) are done, so what comes next meets the fault first. Its last statement is the
 * idle check, or (without one) nothing has been asked for 3 s.
 */
async function hubIdle(url: string): Promise<void> {
  await waitFor(
    () =>
      withAdmin(url, async (client) => {
        const { rows } = await client.query(
          "SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name = 'dispatch' " +
            "AND state = 'idle' AND (query = 'SELECT 1' OR now() - state_change > interval '3 s')",
        );
        return rows.length > 0;
      }),
    { timeoutMs: 30_000, message: "the hub's connection idle" },
  );
}

describe("a hub whose idle PostgreSQL connection goes bad", () => {
  it("finds a silent link while idle and takes typing at once while it reconnects, not after the query timeout", async () => {
    const url = await server.database();
    const proxy = await startBlackholeProxy(server.port);
    // A call on the silent link would block the hub for a minute: only the check finds it sooner.
    const h = await startHub({
      env: {
        DISPATCH_STORE: url.replace(`:${server.port}/`, `:${proxy.port}/`),
        DISPATCH_PG_TIMEOUT_MS: "60000",
        DISPATCH_PG_CONNECT_TIMEOUT_MS: "60000",
      },
    });
    const session = await catSession(h, "idle");
    const client = await attachedClient(h, session);
    try {
      await client.request({ type: "input", session, data: "before-the-hole\n" });
      await client.waitForOutput(session, "before-the-hole\r\n", 30_000);
      await hubIdle(url);

      let attempt: HeldAttempt | undefined;
      proxy.blackhole();
      void proxy.nextAttempt().then((held) => {
        attempt = held;
      });
      // Nothing asks the store anything: the hub's own check finds the link silent and connects
      // again, which the black hole holds.
      const connecting = await waitFor(() => attempt, {
        timeoutMs: 40_000,
        message: "the hub finds its idle link silent and connects again (before any call meets it)",
      });
      const pending = (what: string) =>
        expect(connecting.open, `${what} answered while the hub's connect was still waiting`).toBe(true);

      // No write has met the silent link yet: the status says the store is reconnecting, and why.
      const reconnecting = (await (await h.api("/api/status")).json()) as {
        storage: { ok: boolean; problem: string | null; since: number | null };
      };
      pending("the status before typing");
      expect(reconnecting.storage).toMatchObject({ ok: false, since: expect.any(Number) });
      expect(reconnecting.storage.problem).toMatch(
        /^reconnecting: PostgreSQL at .* did not answer within 3 s \(an idle connection's check\)/,
      );
      expect((await h.cli(["status"])).stdout).toMatch(/storage\s+FAILING: reconnecting: PostgreSQL at/);
      pending("dispatch status");

      expect(
        await client.request({ type: "input", session, data: "typed-during-the-hole\n" }, 30_000),
      ).toMatchObject({ type: "result" });
      pending("typing");
      const status = await waitFor(
        async () => {
          const body = (await (await h.api("/api/status")).json()) as {
            storage: { ok: boolean; problem: string | null };
          };
          return body.storage.ok ? undefined : body.storage;
        },
        { timeoutMs: 30_000, message: "the storage is failing while the link is silent" },
      );
      pending("the status");
      expect(status.problem).toMatch(/did not answer within 3 s \(an idle connection's check\)/);
      expect(status.problem).toMatch(/check that the server is up and the network to it works/);

      proxy.resume();
      await client.waitForOutput(session, "typed-during-the-hole\r\n", 60_000);
      expect(client.output(session)).toBe("before-the-hole\r\ntyped-during-the-hole\r\n");
      // Stored through the new connection: it serves, and the status says so.
      await waitFor(
        async () => ((await (await h.api("/api/status")).json()) as { storage: { ok: boolean } }).storage.ok,
        {
          timeoutMs: 30_000,
          message: "storage ok once the new connection serves",
        },
      );
    } finally {
      await client.close();
      await h.stop();
      await proxy.close();
    }
  }, 180_000);

  it("opens a new connection while idle when the server ends its backends, and stores what comes next without failing", async () => {
    const url = await server.database();
    const h = await startHub({ env: { DISPATCH_STORE: url } });
    const session = await catSession(h, "terminated");
    const client = await attachedClient(h, session);
    try {
      await client.request({ type: "input", session, data: "before\n" });
      await client.waitForOutput(session, "before\r\n", 30_000);
      await hubIdle(url);
      const ended = await hubBackends(url);
      expect(ended.length).toBeGreaterThan(0);
      await withAdmin(url, (admin) =>
        admin.query("SELECT pg_terminate_backend(pid) FROM unnest($1::int[]) AS pid", [ended]),
      );
      // Before any call needs it: the check met the ended backend and connected again.
      await waitFor(async () => (await hubBackends(url)).some((pid) => !ended.includes(pid)), {
        timeoutMs: 30_000,
        message: "the hub connects again by itself once its backend was ended",
      });
      await client.request({ type: "input", session, data: "after\n" });
      await client.waitForOutput(session, "after\r\n", 30_000);
      expect(client.output(session)).toBe("before\r\nafter\r\n");
      const log = readFileSync(join(h.home, "hub.log"), "utf8");
      expect(log, "no store call met the ended backend").not.toMatch(/storage failing/);
    } finally {
      await client.close();
    }
  }, 120_000);
});
