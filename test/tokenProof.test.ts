/**
 * `DISPATCH_KEY` (a personal token, a share link, or the access key) never leaves the CLI
 * either: it proves a token with a key derived from the token's hash, which the hub keeps (the
 * access key with itself), and believes only a hub that proves it knows it too. A program where
 * the CLI looks learns nothing it can use; the real hub takes each proof once, for its port and
 * body. The owner's key is never taken in a token's form: a cluster's database holds its hash.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientSocket } from "../src/cli/ClientSocket.js";
import { HUB_PROOF_HEADER, hubProofValid, proofHeader, tokenProofKey } from "../src/platform/keyProof.js";
import { apiCall, cleanEnv, type HubHandle, runCli, startHub } from "./harness.js";
import { nothingLeaked, type Rogue, startRogue } from "./rogueListener.js";

let hub: HubHandle;
let rogue: Rogue;
let home: string;
/** A writer's personal token, and a share link to session `shared`. */
let personal: string;
let link: string;

beforeAll(async () => {
  hub = await startHub();
  rogue = await startRogue();
  home = mkdtempSync(join(tmpdir(), "dispatch-token-proof-"));
  const user = await apiCall(hub, "/api/users", { name: "ana", role: "writer" });
  expect(user.status).toBe(201);
  personal = String(user.body.token);
  const session = await apiCall(hub, "/api/sessions", { name: "shared", command: ["cat"] });
  expect(session.status).toBe(201);
  const share = await apiCall(hub, "/api/sessions/shared/share", {});
  expect(share.status).toBe(201);
  link = String(share.body.token);
});

afterAll(async () => {
  await rogue?.close();
  await hub?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

describe("DISPATCH_KEY sent to a program where the CLI looks", () => {
  it("ls and the WebSocket: the CLI says nothing proved it knows DISPATCH_KEY, and the program learns nothing", async () => {
    const env = cleanEnv({ DISPATCH_HOME: home, HOME: home, DISPATCH_PORT: String(rogue.port) });
    for (const key of [personal, hub.key]) {
      const ls = await runCli(["ls"], { ...env, DISPATCH_KEY: key });
      expect(ls.code).toBe(1);
      expect(ls.stderr).toContain(`what answers at ${rogue.url} did not prove it knows DISPATCH_KEY`);
    }

    const connecting = ClientSocket.connect({
      url: rogue.url,
      proofKey: tokenProofKey(link),
      client: "test",
    });
    await expect(connecting).rejects.toThrow(/cannot prove it holds the access key/);
    expect(rogue.requests.at(-1)?.method).toBe("UPGRADE");
    expect(rogue.messages).toEqual([]);
    await nothingLeaked(rogue, hub.url, [personal, link, hub.key]);
  });
});

describe("the hub takes a token's proof", () => {
  const sign = (token: string, method: string, path: string, body?: string, port = hub.port) =>
    proofHeader(tokenProofKey(token), { method, target: path, host: `127.0.0.1:${port}` }, body);

  it("once, proving back that it knows the token; not for another port or body", async () => {
    const { header, proof } = sign(personal, "GET", "/api/sessions");
    const first = await fetch(`${hub.url}/api/sessions`, { headers: { authorization: header } });
    expect(first.status).toBe(200);
    expect(hubProofValid(tokenProofKey(personal).key, proof, first.headers.get(HUB_PROOF_HEADER) ?? "")).toBe(
      true,
    );
    expect((await fetch(`${hub.url}/api/sessions`, { headers: { authorization: header } })).status).toBe(401);

    const elsewhere = sign(personal, "GET", "/api/sessions", undefined, hub.port + 1).header;
    expect((await fetch(`${hub.url}/api/sessions`, { headers: { authorization: elsewhere } })).status).toBe(
      401,
    );
    const resize = (authorization: string, body: string) =>
      fetch(`${hub.url}/api/sessions/shared/resize`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body,
      });
    const path = "/api/sessions/shared/resize";
    const signed = '{"cols":100,"rows":30}';
    expect((await resize(sign(personal, "POST", path, signed).header, '{"cols":1,"rows":1}')).status).toBe(
      401,
    );
    expect((await resize(sign(personal, "POST", path, signed).header, signed)).status).toBe(200);

    // The access key in a token's form is refused: a copy of a cluster's database could make it.
    const owner = sign(hub.key, "GET", "/api/sessions").header;
    expect((await fetch(`${hub.url}/api/sessions`, { headers: { authorization: owner } })).status).toBe(401);
  });

  it("from the CLI and its WebSocket, as whom the token stands for: a person, a share link", async () => {
    const env = { ...hub.env, DISPATCH_KEY: personal };
    const ls = await runCli(["ls"], env);
    expect(ls.code, ls.stderr).toBe(0);
    expect(ls.stdout).toContain("shared");

    const viewer = await ClientSocket.connect({
      url: hub.url,
      proofKey: tokenProofKey(link),
      client: "test",
    });
    try {
      expect((await viewer.list()).map((s) => s.name)).toEqual(["shared"]);
    } finally {
      await viewer.close();
    }
  });

  it("not once the token is revoked, and the CLI says what that may mean", async () => {
    expect((await hub.api("/api/users/ana", { method: "DELETE" })).status).toBe(200);
    const ls = await runCli(["ls"], { ...hub.env, DISPATCH_KEY: personal });
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain("did not prove it knows DISPATCH_KEY");
    expect(ls.stderr).toContain("revoked, expired, or another hub's");
  });
});
