/**
 * The CLI never hands this data directory's access key to whatever answers where it looks for
 * the hub: a program listening on the fallback port, or on the port a stale `hub.json` names,
 * receives no key and nothing it can replay against the real hub, and the CLI says this
 * directory's hub is not running. The real hub takes the CLI's key proofs once, for its own
 * port and the body they were signed for.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WebSocketServer } from "ws";
import { ClientSocket } from "../src/cli/ClientSocket.js";
import { proofHeader } from "../src/platform/keyProof.js";
import { cleanEnv, type HubHandle, runCli, startHub } from "./harness.js";

/** What a listener saw: every request's method, target and headers, and WebSocket messages. */
interface Seen {
  requests: { method: string; url: string; headers: IncomingHttpHeaders }[];
  messages: string[];
}

let hub: HubHandle;
let rogue: Server;
let rogueUrl: string;
const seen: Seen = { requests: [], messages: [] };
let home: string;

beforeAll(async () => {
  hub = await startHub();
  // A program on another port that answers like a hub would, and accepts WebSockets.
  rogue = createServer((request, response) => {
    seen.requests.push({ method: request.method ?? "", url: request.url ?? "", headers: request.headers });
    response.setHeader("content-type", "application/json");
    response.end(request.url === "/api/health" ? '{"ok":true,"version":"0"}' : '{"sessions":[]}');
  });
  const wss = new WebSocketServer({ server: rogue });
  wss.on("connection", (ws, request) => {
    seen.requests.push({ method: "UPGRADE", url: request.url ?? "", headers: request.headers });
    ws.on("message", (data) => seen.messages.push(String(data)));
  });
  await new Promise<void>((resolve) => rogue.listen(0, "127.0.0.1", resolve));
  rogueUrl = `http://127.0.0.1:${(rogue.address() as AddressInfo).port}`;
  // This data directory's hub ran once (its key is here), and is not running now.
  home = mkdtempSync(join(tmpdir(), "dispatch-key-proof-"));
  writeFileSync(join(home, "access.key"), `${hub.key}\n`, { mode: 0o600 });
});

afterAll(async () => {
  await new Promise((resolve) => rogue?.close(resolve));
  await hub?.stop();
  if (home) rmSync(home, { recursive: true, force: true });
});

/** The listener learnt nothing that opens the real hub: no key, and no header that works there. */
async function nothingLeaked(): Promise<void> {
  const authorized = seen.requests.filter((r) => r.headers.authorization !== undefined);
  expect(authorized.length).toBeGreaterThan(0);
  for (const { method, url, headers } of seen.requests) {
    expect(JSON.stringify(headers)).not.toContain(hub.key);
    if (headers.authorization === undefined) continue;
    const replayed = await fetch(`${hub.url}${method === "UPGRADE" ? "/api/sessions" : url}`, {
      method: method === "UPGRADE" ? "GET" : method,
      headers: { authorization: headers.authorization },
    });
    expect(replayed.status, `${method} ${url} replayed`).toBe(401);
  }
  expect(seen.messages.join("\n")).not.toContain(hub.key);
}

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
    await nothingLeaked();
  });

  it("a WebSocket there is closed before the hello: it hears nothing", async () => {
    seen.requests.length = 0;
    const connecting = ClientSocket.connect({ url: rogueUrl, key: hub.key, prove: true, client: "test" });
    await expect(connecting).rejects.toThrow(/cannot prove it holds the access key/);
    expect(seen.requests.map((r) => r.method)).toEqual(["UPGRADE"]);
    expect(seen.messages).toEqual([]);
    await nothingLeaked();
  });

  it("on the port a stale hub.json names: the CLI says so in one line, and it learns nothing", async () => {
    seen.requests.length = 0;
    const info = { pid: 999_999, port: Number(rogueUrl.split(":")[2]), host: "127.0.0.1", url: rogueUrl };
    writeFileSync(join(home, "hub.json"), JSON.stringify(info));
    try {
      const env = cleanEnv({ DISPATCH_HOME: home, HOME: home });
      const ls = await runCli(["ls"], env);
      expect(ls.code).toBe(1);
      expect(ls.stderr.trim().split("\n")).toEqual([
        `dispatch: the hub is not running: hub.json in ${home} names ${rogueUrl}, but what answers there cannot prove it holds this directory's access key (another program, or another directory's hub) — start this one's with \`dispatch start\``,
      ]);
      await nothingLeaked();

      // The process hub.json names still runs (a hub from before an upgrade, say): the CLI
      // says how to restart it rather than that nothing runs.
      writeFileSync(join(home, "hub.json"), JSON.stringify({ ...info, pid: process.pid }));
      const older = await runCli(["ls"], env);
      expect(older.code).toBe(1);
      expect(older.stderr).toContain(`(pid ${process.pid}, started from ${home}) did not prove it holds`);
      expect(older.stderr).toContain("restart it with `dispatch stop` and `dispatch start`");
      await nothingLeaked();
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
