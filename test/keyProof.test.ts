/**
 * The CLI never hands this data directory's access key to whatever answers where it looks for
 * the hub: a program listening on the fallback port, or on the port a stale `hub.json` names,
 * receives no key and nothing it can replay against the real hub, and the CLI says this
 * directory's hub is not running. The real hub takes the CLI's key proofs once, for its own
 * port and the body they were signed for, and, restarted, none made before it listened.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ClientSocket } from "../src/cli/ClientSocket.js";
import { proofHeader, tokenProofKey } from "../src/platform/keyProof.js";
import { apiCall, cleanEnv, type HubHandle, runCli, startHub } from "./harness.js";
import { nothingLeaked, type Rogue, startRogue } from "./rogueListener.js";

let hub: HubHandle;
let rogue: Rogue;
let rogueUrl: string;
let home: string;

beforeAll(async () => {
  hub = await startHub();
  rogue = await startRogue();
  rogueUrl = rogue.url;
  // This data directory's hub ran once (its key is here), and is not running now.
  home = mkdtempSync(join(tmpdir(), "dispatch-key-proof-"));
  writeFileSync(join(home, "access.key"), `${hub.key}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await rogue?.close();
  await hub?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

const leakedNothing = () => nothingLeaked(rogue, hub.url, [hub.key]);

describe("a program listening where the CLI looks", () => {
  it("on the fallback port (no hub.json): ls and logs --follow say the hub is not running, and it learns nothing", async () => {
    const env = cleanEnv({
      DISPATCH_HOME: home,
      HOME: home,
      DISPATCH_PORT: rogueUrl.split(":")[2] as string,
    });
    const ls = await runCli(["ls"], env);
    expect(ls.code).toBe(1);
    expect(ls.stderr).toContain(`the hub is not running (no hub.json in ${home})`);
    expect(ls.stderr).toContain("dispatch start");
    const logs = await runCli(["logs", "build", "--follow"], env);
    expect(logs.code).toBe(1);
    expect(logs.stderr).toContain(`the hub is not running (no hub.json in ${home})`);
    await leakedNothing();
  });

  it("a WebSocket there is closed before the hello: it hears nothing", async () => {
    rogue.requests.length = 0;
    const connecting = ClientSocket.connect({ url: rogueUrl, key: hub.key, prove: true, client: "test" });
    await expect(connecting).rejects.toThrow(/cannot prove it holds the access key/);
    expect(rogue.requests.map((r) => r.method)).toEqual(["UPGRADE"]);
    expect(rogue.messages).toEqual([]);
    await leakedNothing();
  });

  it("on the port a stale hub.json names: the CLI says so in one line, and it learns nothing", async () => {
    rogue.requests.length = 0;
    const info = { pid: 999_999, port: Number(rogueUrl.split(":")[2]), host: "127.0.0.1", url: rogueUrl };
    writeFileSync(join(home, "hub.json"), JSON.stringify(info));
    try {
      const env = cleanEnv({ DISPATCH_HOME: home, HOME: home });
      const ls = await runCli(["ls"], env);
      expect(ls.code).toBe(1);
      expect(ls.stderr.trim().split("\n")).toEqual([
        `dispatch: the hub is not running: hub.json in ${home} names ${rogueUrl}, but what answers there cannot prove it holds this directory's access key (another program, or another directory's hub) — start this one's with \`dispatch start\``,
      ]);
      await leakedNothing();

      // The process hub.json names still runs (a hub from before an upgrade, say): the CLI
      // says how to restart it rather than that nothing runs.
      writeFileSync(join(home, "hub.json"), JSON.stringify({ ...info, pid: process.pid }));
      const older = await runCli(["ls"], env);
      expect(older.code).toBe(1);
      expect(older.stderr).toContain(`(pid ${process.pid}, started from ${home}) did not prove it holds`);
      expect(older.stderr).toContain("restart it with `dispatch stop` and `dispatch start`");
      await leakedNothing();
    } finally {
      rmSync(join(home, "hub.json"), { force: true });
    }
  });
});

describe("the hub takes a key proof", () => {
  const sign = (method: string, path: string, body?: string, port = hub.port) =>
    proofHeader(hub.key, { method, target: path, host: `127.0.0.1:${port}` }, body).header;

  it("once: the same proof again is refused", async () => {
    const authorization = sign("GET", "/api/sessions");
    expect((await fetch(`${hub.url}/api/sessions`, { headers: { authorization } })).status).toBe(200);
    expect((await fetch(`${hub.url}/api/sessions`, { headers: { authorization } })).status).toBe(401);
  });

  it("only for the port it was sent to and the body it was signed for", async () => {
    const elsewhere = sign("GET", "/api/sessions", undefined, hub.port + 1);
    expect((await fetch(`${hub.url}/api/sessions`, { headers: { authorization: elsewhere } })).status).toBe(
      401,
    );
    const request = (authorization: string, body: string) =>
      fetch(`${hub.url}/api/gc`, {
        method: "POST",
        headers: { authorization, "content-type": "application/json" },
        body,
      });
    expect((await request(sign("POST", "/api/gc", '{"olderThan":"9d"}'), '{"olderThan":"1s"}')).status).toBe(
      401,
    );
    expect((await request(sign("POST", "/api/gc", '{"olderThan":"9d"}'), '{"olderThan":"9d"}')).status).toBe(
      200,
    );
  });
});

describe("a hub restarted on its port", () => {
  it("refuses every proof made before it listened: one the old hub took, one a program holding the port meanwhile caught", async () => {
    const port = hub.port;
    const personal = String((await apiCall(hub, "/api/users", { name: "ana" })).body.token);
    const sign = (key: string | ReturnType<typeof tokenProofKey>) =>
      proofHeader(key, { method: "GET", target: "/api/sessions", host: `127.0.0.1:${port}` }).header;
    const get = (authorization: string) => fetch(`${hub.url}/api/sessions`, { headers: { authorization } });
    const taken = sign(hub.key);
    expect(await get(taken).then((r) => r.status)).toBe(200);

    expect((await hub.cli(["stop"])).code).toBe(0);
    const squatter = await startRogue(port);
    try {
      // The CLI finds something on this directory's port and proves the key to it.
      const ls = await runCli(
        ["ls"],
        cleanEnv({ DISPATCH_HOME: home, HOME: home, DISPATCH_PORT: String(port) }),
      );
      expect(ls.code).toBe(1);
    } finally {
      await squatter.close();
    }
    // (The host daemon, reconnecting, may have knocked too, with its own bearer token.)
    const caught = squatter.requests.flatMap(
      (r) => r.headers.authorization?.match(/^Dispatch-Proof .*/) ?? [],
    );
    expect(caught.length).toBeGreaterThan(0);
    const madeBefore = sign(tokenProofKey(personal));

    const restarted = await hub.cli(["start", "--port", String(port)]);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(hub.port).toBe(port);
    for (const authorization of [taken, ...caught, madeBefore]) {
      const replayed = await get(authorization);
      expect(replayed.status, authorization).toBe(401);
      // Its message says why: made before the start (or, on a very slow machine, out of the window).
      expect(await replayed.text()).toMatch(/made before this hub started listening|from the hub's clock/);
    }
    expect((await get(sign(hub.key))).status).toBe(200);
    expect((await get(sign(tokenProofKey(personal)))).status).toBe(200);
  });
});
