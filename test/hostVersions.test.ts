/**
 * Hub and host of different releases: a host of an older host protocol is refused the
 * requests it cannot know (the file browser, orphan cleanup) with a message naming the
 * upgrade, at once; and a real host answers a request it cannot read instead of leaving the
 * hub waiting.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket, { WebSocketServer } from "ws";
import { HUB_PROOF_HEADER, hubProof, parseProofHeader, tokenProofKey } from "../src/platform/keyProof.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

const REPO_ROOT = join(import.meta.dirname, "..");
const BIN = join(REPO_ROOT, "bin", "dispatch.js");

let hub: HubHandle;
const sockets: WebSocket[] = [];
const children: ChildProcess[] = [];
const dirs: string[] = [];

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  for (const socket of sockets) socket.terminate();
  for (const child of children) child.kill("SIGKILL");
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  await cleanupAll();
});

/** A host that speaks host protocol 1 (dispatch before `kind-command` and `orphans`). */
async function olderHost(name: string): Promise<void> {
  const created = await hub.api(`/api/hosts/${name}/token`, { method: "POST", body: "{}" });
  const { token } = (await created.json()) as { token: string };
  const socket = new WebSocket(`${hub.url.replace(/^http/, "ws")}/host`, {
    headers: { authorization: `Bearer ${token}` },
  });
  sockets.push(socket);
  await new Promise((resolve, reject) => socket.once("open", resolve).once("error", reject));
  // Like the older release, it drops what it cannot parse and answers only pings.
  socket.on("message", (raw) => {
    const message = JSON.parse(raw.toString()) as { type: string; t?: number };
    if (message.type === "ping") socket.send(JSON.stringify({ type: "pong", t: message.t }));
  });
  const info = {
    id: name,
    name,
    hostname: "old-box",
    os: "linux",
    arch: "x64",
    version: "0.0.9",
    pid: 4242,
    capabilities: ["terminal", "editor"],
    labels: {},
  };
  socket.send(JSON.stringify({ type: "hello", protocol: 1, host: info, sessions: [] }));
  await waitFor(
    async () => {
      const body = (await (await hub.api(`/api/hosts/${name}`)).json()) as { host?: { status: string } };
      return body.host?.status === "connected";
    },
    { message: `host ${name} connected` },
  );
}

describe("hosts of an older release", () => {
  it("refuses the file browser and orphan cleanup at once, naming the upgrade", async () => {
    await olderHost("old");
    const files = await hub.api("/api/files?host=old&path=.");
    expect(files.status).toBe(400);
    const filesError = (await files.json()) as { error: { code: string; message: string } };
    expect(filesError.error.code).toBe("protocol_version");
    expect(filesError.error.message).toMatch(/host 'old' runs dispatch 0\.0\.9 \(host protocol 1\)/);
    expect(filesError.error.message).toContain("upgrade dispatch on that host");

    const orphans = await hub.api("/api/hosts/old/orphans");
    expect(orphans.status).toBe(400);
    expect(((await orphans.json()) as { error: { message: string } }).error.message).toContain(
      "cannot look for orphaned runtimes",
    );

    // The CLI says the same, and exits non-zero.
    const cli = await hub.cli(["images", "cleanup", "--host", "old"]);
    expect(cli.code).not.toBe(0);
    expect(cli.stderr).toContain("upgrade dispatch on that host");
  });
});

describe("a host given a request it cannot read", () => {
  it("answers it with an error that names the upgrade", async () => {
    // A hub of a newer release, as far as the host can tell: it sends a request type this
    // host has never heard of.
    const server = new WebSocketServer({ host: "127.0.0.1", port: 0 });
    // It knows the host's token, as a hub does, and proves it: the host links to nothing else.
    server.on("headers", (headers, request) => {
      const proof = parseProofHeader(request.headers.authorization);
      if (proof) headers.push(`${HUB_PROOF_HEADER}: ${hubProof(tokenProofKey("any").key, proof)}`);
    });
    await new Promise((resolve) => server.once("listening", resolve));
    try {
      const port = (server.address() as AddressInfo).port;
      const reply = new Promise<Record<string, unknown>>((resolve) => {
        server.on("connection", (socket) => {
          socket.on("message", (raw) => {
            const message = JSON.parse(raw.toString()) as Record<string, unknown>;
            if (message.type === "hello")
              socket.send(JSON.stringify({ type: "teleport", ref: 7, to: "mars" }));
            if (message.type === "reply") resolve(message);
          });
        });
      });
      const home = mkdtempSync(join(tmpdir(), "dispatch-newer-hub-"));
      dirs.push(home);
      const child = spawn(
        process.execPath,
        [BIN, "host", "--hub", `http://127.0.0.1:${port}`, "--token", "any", "--name", "h"],
        { env: { ...process.env, DISPATCH_HOME: home, HOME: home }, stdio: "ignore" },
      );
      children.push(child);
      const answer = await reply;
      expect(answer).toMatchObject({ ref: 7, ok: false, error: { code: "protocol_version" } });
      expect(String((answer.error as { message: string }).message)).toMatch(
        /cannot read the hub's 'teleport' request; upgrade dispatch on the host/,
      );
      child.kill("SIGTERM");
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });
});
