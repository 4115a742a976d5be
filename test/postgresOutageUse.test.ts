/**
 * What a person can still do while the PostgreSQL server is down, beyond signing in
 * (test/postgresCredentials.test.ts): list sessions with `dispatch ls` (the hub holds them), be
 * refused for the store's sake without that counting as a failed sign-in, and open a share
 * link in a browser and read a page saying why it cannot open yet. `dispatch` alone, through a
 * pipe, lists them as `ls` does, and `dispatch images stats` says its `stored` as `ls` its BYTES.
 * Real parts: a real PostgreSQL server stopped mid-test, a real hub, the real CLI, real
 * WebSockets, a real python3 kernel, chromium.
 */
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { cleanupAll, type HubHandle, waitFor } from "./harness.js";
import { created, hubOnServer, outage, recovery } from "./postgresOutage.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { bearer, signIn } from "./signIn.js";
import { launchBrowser, newContext } from "./web/browser.js";
import { WireClient } from "./wire.js";

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
  await created(h, "/api/sessions", { name: "img", kind: "workspace", options: { kernel: "python3" } });
  await waitFor(async () => (await imageStats(h)).execution === "idle", {
    timeoutMs: 60_000,
    message: "img idle",
  });
  const imageBefore = await h.cli(["images", "stats", "img"]);
  expect(imageBefore.code, imageBefore.stderr).toBe(0);
  expect(imageBefore.stderr).toBe("");
  expect(imageBefore.stdout).toMatch(/^stored\s+\d+(\.\d)?[BKM]$/m);
  const before = await h.cli(["ls"]);
  expect(before.code, before.stderr).toBe(0);
  expect(before.stderr).toBe("");
  expect(before.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\d+B$/m);

  await outage(server, h);
  // An image's figures say the same as `ls` of the bytes its log holds: not known now, and why.
  const image = await h.cli(["images", "stats", "img"]);
  expect(image.code, image.stderr).toBe(0);
  expect(image.stdout).toMatch(/^stored\s+\?$/m);
  expect(image.stdout).toMatch(/^status\s+connected$/m);
  expect(image.stderr).toMatch(/^stored unknown: the hub's store is unavailable/m);
  expect((await imageStats(h)).storedBytes).toBeNull();
  const during = await h.cli(["ls"]);
  expect(during.code, during.stderr).toBe(0);
  // Every session, as the hub holds it; the bytes its log holds need the store: not shown, and said so.
  expect(during.stdout).toMatch(/^kept\s+terminal\s+running\s.*\s\?$/m);
  expect(during.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\?$/m);
  expect(during.stderr).toMatch(/BYTES unknown: the hub's store is unavailable/);
  // `dispatch` alone through a pipe prints the same table, saying the same.
  const bare = await h.cli([]);
  expect(bare.code, bare.stderr).toBe(0);
  expect(bare.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\?$/m);
  expect(bare.stderr).toMatch(/BYTES unknown: the hub's store is unavailable/);
  const verbose = await h.cli(["ls", "-v"]);
  expect(verbose.code, verbose.stderr).toBe(0);
  expect(verbose.stdout).toMatch(/\ssaid\s.*\s\?\s+said-this$/m);
  const json = await h.cli(["ls", "--json"]);
  expect(json.code, json.stderr).toBe(0);
  const listed = JSON.parse(json.stdout) as { name: string; status: string; storedBytes?: number }[];
  expect(listed.map((s) => [s.name, s.status, s.storedBytes])).toEqual([
    ["kept", "running", undefined],
    ["said", "running", undefined],
    ["img", "running", undefined],
  ]);
  const byHost = await h.cli(["ls", "--host", "local"]);
  expect(byHost.code, byHost.stderr).toBe(0);
  expect(byHost.stdout).toMatch(/^kept\s/m);
  const stats = await h.cli(["hosts", "stats", "local"]);
  expect(stats.code, stats.stderr).toBe(0);
  expect(stats.stdout).toMatch(/^sessions\s+3$/m);
  expect(stats.stdout).toMatch(/^stored\s+\?$/m);
  expect(stats.stderr).toMatch(/stored unknown: the hub's store is unavailable/);
  // No sessions to show: no bytes missing either.
  const none = await h.cli(["ls", "--project", "elsewhere"]);
  expect(none.code, none.stderr).toBe(0);
  expect(none.stderr).not.toContain("BYTES");

  // Back: the bytes again, and nothing said about them.
  await recovery(server, h);
  const after = await h.cli(["ls"]);
  expect(after.code, after.stderr).toBe(0);
  expect(after.stderr).toBe("");
  expect(after.stdout).toMatch(/^said\s+terminal\s+running\s.*\s\d+B$/m);
  const statsAfter = await h.cli(["hosts", "stats", "local"]);
  expect(statsAfter.stderr).toBe("");
  expect(statsAfter.stdout).toMatch(/^stored\s+\d+(\.\d)?[BKM]$/m);
  const listedAfter = JSON.parse((await h.cli(["ls", "--json"])).stdout) as {
    name: string;
    storedBytes: number;
  }[];
  expect((await imageStats(h)).storedBytes).toBe(listedAfter.find((s) => s.name === "img")?.storedBytes);
}, 180_000);

/** `dispatch images stats img --json`, parsed. */
async function imageStats(h: HubHandle): Promise<{ execution: string; storedBytes: number | null }> {
  const stats = await h.cli(["images", "stats", "img", "--json"]);
  expect(stats.code, stats.stderr).toBe(0);
  return JSON.parse(stats.stdout) as { execution: string; storedBytes: number | null };
}

it("a sign-in the hub cannot check for the store's sake is neither audited as a failed sign-in nor counted against the address", async () => {
  const h = await hubOnServer(server);
  const unseen = (await created<{ token: string }>(h, "/api/users", { name: "dee", role: "writer" })).token;

  await outage(server, h);
  // More than the limiter lets through at full speed: were they counted, the next wrong key
  // from this address would be slowed, and its refusal would say so.
  for (let i = 0; i < 8; i++) {
    expect(await signIn(h, bearer(unseen))).toMatch(/^HTTP 503: the hub's store is unavailable/);
    const rest = await fetch(`${h.url}/api/sessions`, { headers: bearer(unseen) });
    expect(rest.status).toBe(503);
    const login = await fetch(`${h.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: unseen }),
    });
    expect(login.status).toBe(503);
    // Signed in by its hello rather than at the upgrade.
    const greeter = await WireClient.open(h.url);
    expect(await greeter.request({ type: "hello", protocol: 1, key: unseen })).toMatchObject({
      code: "storage_failing",
    });
    await greeter.close();
  }
  // A sign-in that works, audited after the refusals: once it is in the trail, so are they.
  expect(await signIn(h, bearer(h.key))).toBe("welcome");

  await recovery(server, h);
  const wrong = await fetch(`${h.url}/api/sessions`, { headers: bearer("not-the-key") });
  expect(wrong.status).toBe(401);
  expect(((await wrong.json()) as { error: { message: string } }).error.message).not.toMatch(/slowed/);
  const entries = await waitFor(
    async () => {
      const { entries } = (await (await h.api("/api/audit")).json()) as {
        entries: { actor: string; action: string; detail: Record<string, unknown> }[];
      };
      return entries.some((e) => e.action === "sign-in" && e.detail.over === "websocket") && entries;
    },
    { timeoutMs: 30_000, message: "the outage's audit rows written" },
  );
  // The one wrong key after the outage is the only failed sign-in.
  expect(entries.filter((e) => e.action === "sign-in-failed").map((e) => e.detail.over)).toEqual(["rest"]);
}, 180_000);

it("a share link never opened before, opened in a browser while the server is down, gets a page saying to try again shortly", async () => {
  const h = await hubOnServer(server);
  await created(h, "/api/sessions", { name: "pair", command: ["cat"] });
  const link = await created<{ url: string }>(h, "/api/sessions/pair/share", {});

  await outage(server, h);
  const page = await fetch(link.url, { redirect: "manual", headers: { accept: "text/html" } });
  expect(page.status).toBe(503);
  expect(page.headers.get("content-type")).toMatch(/^text\/html/);
  expect(page.headers.get("set-cookie")).toBeNull();
  const text = await page.text();
  expect(text).toContain(
    "The hub cannot check this share link right now because its store is unavailable. Try again shortly.",
  );
  expect(text).toContain(`<a href="${new URL(link.url).pathname}">Try again</a>`);
  // A script still gets the error as JSON.
  const script = await fetch(link.url, { redirect: "manual" });
  expect(script.status).toBe(503);
  expect(((await script.json()) as { error: { code: string } }).error.code).toBe("storage_failing");

  // In a real browser: the page, and once the server is back its link opens the session.
  const browser = await launchBrowser();
  try {
    const tab = await (await newContext(browser)).newPage();
    expect((await tab.goto(link.url))?.status()).toBe(503);
    await tab.getByText("The hub cannot check this share link right now").waitFor();
    await recovery(server, h);
    await tab.getByRole("link", { name: "Try again" }).click();
    await tab.getByRole("heading", { name: "pair", level: 1 }).waitFor();
    await tab.getByRole("note", { name: "Read-only", exact: true }).waitFor();
  } finally {
    await browser.close();
  }
}, 180_000);
