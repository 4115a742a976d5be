/**
 * A real hub on a real PostgreSQL server that is shut down and started again: once the hub's
 * connection is open again, what it held during the outage is written at once, without waiting
 * out the resend pause the failed writes left (up to 5 s into an outage). The test makes that
 * pause ten minutes (`DISPATCH_TEST_RESEND_PAUSE_MS`): storage ok and the output typed during
 * the outage can then only come from the reconnect itself.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { cleanupAll, startHub, waitFor } from "./harness.js";
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

it("says storage ok and shows the output held through a server restart as soon as it reconnects", async () => {
  const h = await startHub({
    env: {
      DISPATCH_STORE: await server.database(),
      DISPATCH_PG_TIMEOUT_MS: "2000",
      DISPATCH_PG_CONNECT_TIMEOUT_MS: "2000",
      DISPATCH_TEST_RESEND_PAUSE_MS: "600000",
    },
  });
  const storageOk = async () =>
    ((await (await h.api("/api/status")).json()) as { storage: { ok: boolean } }).storage.ok;
  const created = await h.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name: "printer", command: ["sh", "-c", "stty -echo; exec cat"] }),
  });
  expect(created.status).toBe(201);
  const session = ((await created.json()) as { session: { id: string } }).session.id;
  const client = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
  try {
    expect(await client.request({ type: "hello", protocol: 1 })).toMatchObject({ type: "welcome" });
    await client.request({ type: "attach", session, afterSeq: 0, snapshot: false });
    await client.request({ type: "input", session, data: "before\n" });
    await client.waitForOutput(session, "before\r\n", 30_000);

    await server.halt();
    // Printed while the server is down: its append fails, and the host holds it.
    await client.request({ type: "input", session, data: "during\n" }, 30_000);
    await waitFor(async () => !(await storageOk()), {
      timeoutMs: 60_000,
      message: "the hub says its storage is failing",
    });
    expect(client.output(session)).not.toContain("during");

    await server.resume();
    // The hub's next connect comes within its own pause (10 s at most), far below the test's.
    await waitFor(() => storageOk(), {
      timeoutMs: 40_000,
      message: "storage ok once the hub reconnected, not at the end of the 10-minute resend pause",
    });
    await client.waitForOutput(session, "during\r\n", 30_000);
    await client.request({ type: "input", session, data: "after\n" });
    await client.waitForOutput(session, "after\r\n", 30_000);
    expect(client.output(session)).toBe("before\r\nduring\r\nafter\r\n");
  } finally {
    await client.close();
  }
}, 180_000);
