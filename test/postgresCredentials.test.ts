/**
 * Credentials while the PostgreSQL server is down: a hub checks tokens against its store, so
 * with the server stopped a credential it verified before must still let its holder back in
 * (a remote host dialing again, a person reconnecting), while a credential revoked before the
 * outage stays refused, and one the hub cannot check is told the store is unavailable, not that
 * its token is wrong. Real parts: a real PostgreSQL server, a real hub, real `dispatch host`
 * processes, real WebSocket clients.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { proofHeader, tokenProofKey } from "../src/platform/keyProof.js";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, waitFor } from "./harness.js";
import { created, hubOnServer, outage, recovery } from "./postgresOutage.js";
import { type PostgresServer, startPostgres } from "./postgresServer.js";
import { bearer, signIn } from "./signIn.js";

let server: PostgresServer;
const remotes: { child: ChildProcess; home: string }[] = [];

beforeAll(async () => {
  server = await startPostgres();
});
afterEach(async () => {
  for (const { child, home } of remotes.splice(0)) {
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGKILL");
      await exited;
    }
    rmSync(home, { recursive: true, force: true });
  }
  // A test that failed mid-outage leaves the server halted: the next one needs it.
  await server.resume();
});
afterAll(async () => {
  await cleanupAll();
  await server?.stop();
});

async function hostToken(h: HubHandle, name: string): Promise<string> {
  const made = await h.api(`/api/hosts/${name}/token`, { method: "POST", body: "{}" });
  expect(made.status).toBe(201);
  return ((await made.json()) as { token: string }).token;
}

/** A real `dispatch host` process dialing the hub as `name`; its log is collected. */
function remoteHost(h: HubHandle, name: string, token: string): { child: ChildProcess; log: () => string } {
  const home = mkdtempSync(join(tmpdir(), `dispatch-pg-cred-${name}-`));
  const child = spawn(process.execPath, [BIN, "host", "--hub", h.url, "--token", token, "--name", name], {
    env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
    cwd: REPO_ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  remotes.push({ child, home });
  let log = "";
  child.stdout?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  child.stderr?.on("data", (chunk: Buffer) => {
    log += chunk.toString();
  });
  return { child, log: () => log };
}

async function stopHost(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  child.kill("SIGKILL");
  await exited;
}

async function hostStatus(h: HubHandle, name: string): Promise<string | undefined> {
  const { hosts } = (await (await h.api("/api/hosts")).json()) as {
    hosts: { name: string; status: string }[];
  };
  return hosts.find((host) => host.name === name)?.status;
}

it("a remote host dials in again while the server is down; a revoked or never-seen token is told the store is unavailable", async () => {
  const h = await hubOnServer(server);
  const farToken = await hostToken(h, "far");
  const goneToken = await hostToken(h, "gone");
  const lateToken = await hostToken(h, "late");

  let far = remoteHost(h, "far", farToken);
  const gone = remoteHost(h, "gone", goneToken);
  for (const name of ["far", "gone"]) {
    await waitFor(async () => (await hostStatus(h, name)) === "connected", {
      message: `host ${name} connected`,
    });
  }
  // Revoked while the store works and the host is away (so it never hears of it, and never
  // dials with it while the store can still refuse it): the hub verified this token once, and
  // must not keep it.
  await stopHost(gone.child);
  await waitFor(async () => (await hostStatus(h, "gone")) !== "connected", {
    message: "gone's link dropped",
  });
  expect((await h.api("/api/hosts/gone/token", { method: "DELETE" })).status).toBe(200);

  await outage(server, h);
  // Started again while the server is down: its token was verified before, so it is let in.
  await stopHost(far.child);
  await waitFor(async () => (await hostStatus(h, "far")) !== "connected", {
    message: "far's link dropped",
  });
  far = remoteHost(h, "far", farToken);
  await waitFor(async () => (await hostStatus(h, "far")) === "connected", {
    timeoutMs: 30_000,
    message: "far, started again while the server is down, connected",
  }).catch((err: Error) => {
    const hubLog = readFileSync(join(h.home, "hub.log"), "utf8").split("\n").slice(-30).join("\n");
    throw new Error(`${err.message}; far's log: ${far.log()}; hub log: ${hubLog}`);
  });

  // The revoked token, and one this hub never verified: refused, saying why (the store).
  const goneAgain = remoteHost(h, "gone", goneToken);
  const late = remoteHost(h, "late", lateToken);
  for (const [name, host] of [
    ["gone", goneAgain],
    ["late", late],
  ] as const) {
    await waitFor(() => /store is unavailable/.test(host.log()), {
      timeoutMs: 30_000,
      message: `${name} told the store is unavailable`,
    }).catch((err: Error) => {
      throw new Error(`${err.message}; ${name}'s log: ${host.log()}`);
    });
    expect(host.log()).not.toMatch(/unknown or revoked host token/);
    expect(await hostStatus(h, name)).not.toBe("connected");
  }
  // The hub's operator reads why in its log too.
  expect(readFileSync(join(h.home, "hub.log"), "utf8")).toContain(
    "host refused for now: the store is unavailable to check its token",
  );

  await recovery(server, h);
  // With the store back, the never-seen token is checked and taken; the revoked one is refused for good.
  await waitFor(async () => (await hostStatus(h, "late")) === "connected", {
    timeoutMs: 60_000,
    message: "late connected once the store is back",
  });
  await waitFor(() => goneAgain.child.exitCode !== null, {
    timeoutMs: 60_000,
    message: "the revoked host, refused by a hub that can read its store, stopped dialing",
  });
  expect(await hostStatus(h, "gone")).not.toBe("connected");
}, 180_000);

it("people reconnect while the server is down with what the hub verified before; a removed user or an unseen token is told the store is unavailable", async () => {
  const h = await hubOnServer(server);
  await created(h, "/api/sessions", { name: "shared", command: ["cat"] });
  const user = (name: string) => created<{ token: string }>(h, "/api/users", { name, role: "writer" });
  const ann = (await user("ann")).token;
  const bob = (await user("bob")).token;
  const cid = (await user("cid")).token;
  const unseen = (await user("dee")).token;
  const link = (await created<{ token: string }>(h, "/api/sessions/shared/share", {})).token;
  // A browser's login: the cookie holds a web login token, not the personal token itself.
  const signInBrowser = async (): Promise<string> => {
    const login = await fetch(`${h.url}/api/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ key: cid }),
    });
    expect(login.status).toBe(200);
    const cookie = /dispatch_session=[^;]+/.exec(login.headers.get("set-cookie") ?? "")?.[0];
    expect(cookie).toBeDefined();
    return cookie as string;
  };
  const cookie = await signInBrowser();
  const loggedOut = await signInBrowser();

  // A key proof of the token, as `dispatch attach` signs in with a personal token.
  const proof = (token: string) => () => ({
    authorization: proofHeader(tokenProofKey(token), {
      method: "GET",
      target: "/ws",
      host: `127.0.0.1:${h.port}`,
    }).header,
  });
  for (const headers of [
    bearer(ann),
    proof(ann),
    bearer(bob),
    bearer(link),
    { cookie },
    { cookie: loggedOut },
  ]) {
    expect(await signIn(h, headers)).toBe("welcome");
  }
  // Bob is removed while the store works: the hub verified his token, and must not keep it.
  expect((await h.api("/api/users/bob", { method: "DELETE" })).status).toBe(200);
  // Then the second browser signs out: its login is revoked, and must not be kept either.
  const logout = await fetch(`${h.url}/api/logout`, { method: "POST", headers: { cookie: loggedOut } });
  expect(logout.status).toBe(200);

  await outage(server, h);
  for (const [who, headers] of [
    ["ann's token", bearer(ann)],
    ["ann's key proof", proof(ann)],
    ["the share link", bearer(link)],
    ["cid's web login", { cookie }],
  ] as const) {
    expect(await signIn(h, headers), who).toBe("welcome");
  }
  for (const [who, headers] of [
    ["removed bob's token", bearer(bob)],
    ["the signed-out web login", { cookie: loggedOut }],
    ["the unseen token", bearer(unseen)],
    ["the unseen token's key proof", proof(unseen)],
  ] as const) {
    expect(await signIn(h, headers), who).toMatch(/^HTTP 503: the hub's store is unavailable/);
  }
  // The access key needs no store at all.
  expect(await signIn(h, bearer(h.key))).toBe("welcome");

  await recovery(server, h);
  expect(await signIn(h, bearer(unseen))).toBe("welcome");
  expect(await signIn(h, bearer(bob))).toMatch(/^HTTP 401/);
}, 180_000);
