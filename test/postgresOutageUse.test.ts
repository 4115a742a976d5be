/**
 * What a person can still do while the PostgreSQL server is down, beyond signing in
 * (test/postgresCredentials.test.ts): list sessions with `dispatch ls` (the hub holds them), be
 * refused for the store's sake without that counting as a failed sign-in, and open a share
 * link in a browser and read a page saying why it cannot open yet. Real parts: a real
 * PostgreSQL server stopped mid-test, a real hub, the real CLI, real WebSockets.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { cleanupAll, waitFor } from "./harness.js";
import { created, hubOnServer, outage, recovery } from "./postgresOutage.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";

let server: PostgresServer;

beforeAll(async () => {
  server = await startPostgres();
});
afterEach(async () => {
  // A test that failed mid-outage leaves the server halted: the next one needs it.
  await server.resume();
});
afterAll(async () => {
  await cleanupAll();
  await server?.stop();
});

it("`dispatch ls` lists the sessions while the server is down, saying only what it cannot know", async () => {
  const h = await hubOnServer(server);
  await created(h, "/api/sessions", { name: "kept", command: ["cat"] });
  await created(h, "/api/sessions", { name: "said", command: ["sh", "-c", "echo said-this; exec cat"] });
  await waitFor(async () => (await h.cli(["logs", "said"])).stdout.includes("said-this"), {
    message: "said's output stored",
  });
  const before = await h.cli(["ls"]);
  expect(before.code, before.stderr).toBe(0);
  expect(before.stderr).toBe("");
  expect(before.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\d+B$/m);

  await outage(server, h);
  const during = await h.cli(["ls"]);
  expect(during.code, during.stderr).toBe(0);
  // Every session, as the hub holds it; the bytes its log holds need the store: not shown, and said so.
  expect(during.stdout).toMatch(/^kept\s+terminal\s+running\s.*\s\?$/m);
  expect(during.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\?$/m);
  expect(during.stderr).toMatch(/BYTES unknown: the hub's store is unavailable/);
  const verbose = await h.cli(["ls", "-v"]);
  expect(verbose.code, verbose.stderr).toBe(0);
  expect(verbose.stdout).toMatch(/\ssaid\s.*\s\?\s+said-this$/m);
  const json = await h.cli(["ls", "--json"]);
  expect(json.code, json.stderr).toBe(0);
  const listed = JSON.parse(json.stdout) as { name: string; status: string; storedBytes?: number }[];
  expect(listed.map((s) => [s.name, s.status, s.storedBytes])).toEqual([
    ["kept", "running", undefined],
    ["said", "running", undefined],
  ]);
  const byHost = await h.cli(["ls", "--host", "local"]);
  expect(byHost.code, byHost.stderr).toBe(0);
  expect(byHost.stdout).toMatch(/^kept\s/m);

  // Back: the bytes again, and nothing said about them.
  await recovery(server, h);
  const after = await h.cli(["ls"]);
  expect(after.code, after.stderr).toBe(0);
  expect(after.stderr).toBe("");
  expect(after.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\d+B$/m);
}, 180_000);
