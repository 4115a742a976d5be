/**
 * A remote host given several hub URLs (`dispatch host --hub A,B --hub C`), on real processes
 * and one real SQLite hub: it skips a URL nobody listens on, connects to the live hub, and when
 * that hub goes away and comes back on another port of its list it dials there, its session
 * still running (same pid) and every line stored once, in order. Bad URLs get a clear error.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BIN,
  cleanEnv,
  cleanupAll,
  countedLines,
  type HubHandle,
  REPO_ROOT,
  runCli,
  startHub,
  waitFor,
} from "./harness.js";

let hub: HubHandle;
let host: ChildProcess | undefined;
let hostLog = "";
const home = mkdtempSync(join(tmpdir(), "dispatch-hubs-host-"));

/** A port that was free a moment ago (listened on, then closed). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

interface Host {
  name: string;
  status: string;
}
interface Session {
  name: string;
  status: string;
  pid: number | null;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await hub.api(path, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function hostStatus(name: string): Promise<string | undefined> {
  const { hosts } = await json<{ hosts: Host[] }>("/api/hosts");
  return hosts.find((h) => h.name === name)?.status;
}

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_HEARTBEAT_MS: "200" } });
});

afterAll(async () => {
  if (host?.pid && host.exitCode === null && host.signalCode === null) {
    host.kill("SIGTERM");
    await waitFor(() => host?.exitCode !== null || host?.signalCode !== null, { timeoutMs: 5_000 }).catch(
      () => host?.kill("SIGKILL"),
    );
  }
  await cleanupAll();
  rmSync(home, { recursive: true, force: true });
});

process.on("exit", () => {
  if (host?.pid && host.exitCode === null) host.kill("SIGKILL");
});

describe("a host with several hub URLs", () => {
  it("refuses a bad URL anywhere in the list, naming it, and a missing --hub", async () => {
    const env = cleanEnv({ DISPATCH_HOME: home, HOME: home });
    const bad = await runCli(
      ["host", "--hub", "http://127.0.0.1:1,ftp://files.example", "--hub", "hub2:7777", "--token", "t"],
      env,
    );
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain(
      "hub URL 'ftp://files.example' must start with http://, https://, ws:// or wss://",
    );
    expect(bad.stderr).toContain("hub URL 'hub2:7777' must start with http://");
    expect(bad.stderr).not.toContain("127.0.0.1:1'");

    const stray = await runCli(["host", "--hub", "http://a.example,,http://b.example", "--token", "t"], env);
    expect(stray.code).toBe(2);
    expect(stray.stderr).toContain("an empty entry in the hub URL list");

    const none = await runCli(["host", "--token", "t"], env);
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("a hub URL is required: --hub URL");
  });

  it("skips a dead URL, and follows its hub to another port of its list with the session running", async () => {
    const created = await hub.cli(["hosts", "token", "create", "roamer"]);
    expect(created.code, created.stderr).toBe(0);
    const dead = await freePort();
    const later = await freePort();
    const first = hub.port;
    host = spawn(
      process.execPath,
      [
        BIN,
        "host",
        "--hub",
        `http://127.0.0.1:${dead},${hub.url}`,
        "--hub",
        `http://127.0.0.1:${later}`,
        "--token",
        created.stdout.trim(),
        "--name",
        "roamer",
      ],
      {
        env: cleanEnv({ DISPATCH_HOME: home, HOME: home, DISPATCH_LOG_LEVEL: "debug" }),
        cwd: REPO_ROOT,
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    host.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
      hostLog += chunk;
    });
    await waitFor(async () => (await hostStatus("roamer")) === "connected", {
      timeoutMs: 15_000,
      message: "roamer connected past the dead URL",
    });
    expect(hostLog).toContain(`127.0.0.1:${dead}/host`);

    const script = "i=0; while :; do i=$((i+1)); echo roam-$i; sleep 0.05; done";
    await json("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "roam", host: "roamer", cwd: tmpdir(), command: ["sh", "-c", script] }),
    });
    await waitFor(async () => (await countedLines(hub, "roam")) >= 5, { message: "roam printed" });
    const { session: before } = await json<{ session: Session }>("/api/sessions/roam");
    expect(before.pid).toBeGreaterThan(0);
    const linesBefore = await countedLines(hub, "roam");

    // The hub goes away and comes back on another port of the host's list (same database).
    expect((await hub.cli(["stop"])).code).toBe(0);
    await waitFor(() => hostLog.includes("hub link down"), { message: "roamer saw its hub go" });
    const started = await hub.cli(["start", "--port", String(later)]);
    expect(started.code, started.stderr).toBe(0);
    expect(hub.port).toBe(later);
    expect(hub.port).not.toBe(first);
    await waitFor(async () => (await hostStatus("roamer")) === "connected", {
      timeoutMs: 30_000,
      message: "roamer connected to the hub on its new port",
    });
    const connects = hostLog.split("\n").filter((line) => line.includes("connected to the hub"));
    expect(connects.at(-1)).toContain(`127.0.0.1:${later}/host`);

    await waitFor(async () => (await countedLines(hub, "roam")) >= linesBefore + 20, {
      timeoutMs: 20_000,
      message: "roam kept printing, every line once",
    });
    const { session: after } = await json<{ session: Session }>("/api/sessions/roam");
    expect(after).toMatchObject({ status: "running", pid: before.pid });
  });
});
