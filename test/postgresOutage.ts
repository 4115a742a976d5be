/**
 * A hub on a real PostgreSQL server (test/postgresServer.ts) whose server a test stops and
 * starts again: the hub, with timeouts short enough that it notices at once, and the steps of
 * an outage as the hub sees them, each waited for on what the hub reports.
 */
import { expect } from "vitest";
import { type HubHandle, startHub, waitFor } from "./harness.js";
import type { PostgresServer } from "./postgresServer.js";

/** A hub on a fresh database of `server`; `env` on top. */
export async function hubOnServer(
  server: PostgresServer,
  env: Record<string, string> = {},
): Promise<HubHandle> {
  return startHub({
    env: {
      DISPATCH_STORE: await server.database(),
      DISPATCH_PG_TIMEOUT_MS: "2000",
      DISPATCH_PG_CONNECT_TIMEOUT_MS: "2000",
      ...env,
    },
  });
}

/** Whether the hub says its storage is fine (`GET /api/status`). */
export async function storageOk(h: HubHandle): Promise<boolean> {
  return ((await (await h.api("/api/status")).json()) as { storage: { ok: boolean } }).storage.ok;
}

/** The server goes down, and the hub has noticed. */
export async function outage(server: PostgresServer, h: HubHandle): Promise<void> {
  await server.halt();
  await waitFor(async () => !(await storageOk(h)), {
    timeoutMs: 60_000,
    message: "the hub says its storage is failing",
  });
}

/** The server is back, and the hub has noticed. */
export async function recovery(server: PostgresServer, h: HubHandle): Promise<void> {
  await server.resume();
  await waitFor(() => storageOk(h), { timeoutMs: 60_000, message: "storage ok once the server is back" });
}

/** What a POST made (the hub answers 201), e.g. a session, a user, a share link. */
export async function created<T>(h: HubHandle, path: string, body: unknown): Promise<T> {
  const response = await h.api(path, { method: "POST", body: JSON.stringify(body) });
  expect(response.status, await response.clone().text()).toBe(201);
  return (await response.json()) as T;
}
