/**
 * Many hosts, one hub, on real processes: five remote host daemons (`dispatch host`, each with
 * its own home) dial a real hub over loopback and run real PTY sessions. Covers status and
 * health, a host killed and restarted, a hub restart with nothing lost, token revocation,
 * hostile hosts, orphan cleanup and the host context.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { encodeOutputFrame } from "../src/protocol/frames.js";
import {
  BIN,
  cleanEnv,
  cleanupAll,
  countedLines,
  type HubHandle,
  REPO_ROOT,
  startHub,
  storedOutput,
  waitFor,
} from "./harness.js";
import { WireClient } from "./wire.js";

const HOSTS = ["h1", "h2", "h3", "h4", "h5"];

interface RemoteHost {
  name: string;
  token: string;
  home: string;
  child: ChildProcess;
  log: string;
}

let hub: HubHandle;
const tokens = new Map<string, string>();
const remotes = new Map<string, RemoteHost>();
const everyChild: ChildProcess[] = [];
const homes: string[] = [];
const rawSockets: WebSocket[] = [];
const clients: WireClient[] = [];

function startRemote(name: string, home?: string): RemoteHost {
  const token = tokens.get(name) as string;
  const dir = home ?? mkdtempSync(join(tmpdir(), `dispatch-remote-${name}-`));
  if (!home) homes.push(dir);
  const child = spawn(
    process.execPath,
    [BIN, "host", "--hub", hub.url, "--token", token, "--name", name, "--label", "role=test"],
    { env: cleanEnv({ DISPATCH_HOME: dir, HOME: dir }), cwd: REPO_ROOT, stdio: ["ignore", "ignore", "pipe"] },
  );
  everyChild.push(child);
  const remote: RemoteHost = { name, token, home: dir, child, log: "" };
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    remote.log += chunk;
  });
  remotes.set(name, remote);
  return remote;
}

function killChild(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.on("exit", () => {
  for (const child of everyChild) killChild(child, "SIGKILL");
});

interface Host {
  id: string;
  name: string;
  kind: string;
  status: string;
  health: string;
  rttMs: number | null;
  labels: Record<string, string>;
  sessions: { total: number; running: number; exited: number; orphaned: number };
}
interface Session {
  id: string;
  name: string;
  host: string;
  status: string;
  lastSeq: number;
  reachable?: boolean;
  reason: string | null;
}

async function json<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await hub.api(path, init);
  const body = (await response.json()) as T;
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status} ${JSON.stringify(body)}`);
  return body;
}

async function hostsByName(): Promise<Map<string, Host>> {
  const { hosts } = await json<{ hosts: Host[] }>("/api/hosts");
  return new Map(hosts.map((h) => [h.name, h]));
}

async function waitForStatus(
  names: string[],
  status: string,
  timeoutMs = 15_000,
): Promise<Map<string, Host>> {
  return waitFor(
    async () => {
      const hosts = await hostsByName();
      return names.every((n) => hosts.get(n)?.status === status) ? hosts : undefined;
    },
    { timeoutMs, message: `hosts ${names.join(",")} ${status}` },
  );
}

const session = async (name: string) => (await json<{ session: Session }>(`/api/sessions/${name}`)).session;

/** A session printing `TAG-1`, `TAG-2`, ... every 50 ms, forever. */
async function createCounter(host: string, name: string): Promise<Session> {
  const script = `i=0; while :; do i=$((i+1)); echo ${name}-$i; sleep 0.05; done`;
  const body = await json<{ session: Session }>("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, host, cwd: tmpdir(), command: ["sh", "-c", script] }),
  });
  return body.session;
}

/** The counter's numbers in stored order; asserts each appears exactly once, from 1 with no gap. */
async function counted(name: string): Promise<number> {
  const lines = await countedLines(hub, name);
  expect(lines).toBeGreaterThan(0);
  return lines;
}

async function waitForCount(name: string, atLeast: number): Promise<number> {
  return waitFor(
    async () => {
      const n = await counted(name);
      return n >= atLeast ? n : undefined;
    },
    { timeoutMs: 20_000, message: `${name} printed ${atLeast} lines` },
  );
}

/** A raw host link with a token, recording what the hub sends it. */
function rawHost(
  token: string,
): Promise<{ ws: WebSocket; received: Record<string, unknown>[]; closed: Promise<number> }> {
  const ws = new WebSocket(`${hub.url.replace(/^http/, "ws")}/host`, {
    headers: { authorization: `Bearer ${token}` },
  });
  rawSockets.push(ws);
  const received: Record<string, unknown>[] = [];
  ws.on("message", (raw, isBinary) => {
    if (!isBinary) received.push(JSON.parse(raw.toString()) as Record<string, unknown>);
  });
  const closed = new Promise<number>((resolve) => ws.on("close", (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    ws.once("open", () => resolve({ ws, received, closed }));
    ws.once("unexpected-response", (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once("error", reject);
  });
}

function hello(sessions: Record<string, unknown>[] = []): string {
  return JSON.stringify({
    type: "hello",
    protocol: 1,
    host: {
      id: "local",
      name: "local",
      hostname: "evil",
      os: "linux",
      arch: "x64",
      version: "0.0.0",
      pid: 1,
      capabilities: [],
      labels: {},
    },
    sessions,
  });
}

beforeAll(async () => {
  // The default heartbeat (2 s): at a 200 ms beat a loaded machine (six Node processes here)
  // failed live hosts for not answering within 600 ms.
  hub = await startHub();
  // One token the way a person makes it, checking what it prints; the rest through the same
  // API call, side by side (a `dispatch` process each would be a Node boot each). Each host
  // dials in as soon as its token is there.
  const [first, ...rest] = [...HOSTS, "evil"] as [string, ...string[]];
  const byCli = async () => {
    const created = await hub.cli(["hosts", "token", "create", first]);
    expect(created.code, created.stderr).toBe(0);
    tokens.set(first, created.stdout.trim());
    // The command to run on the remote machine, with this hub's real URL and the new token.
    expect(created.stderr).toContain(
      `dispatch host --hub ${hub.url} --token ${created.stdout.trim()} --name ${first}`,
    );
    startRemote(first);
  };
  const byApi = async (name: string) => {
    const { token } = await json<{ token: string }>(`/api/hosts/${name}/token`, {
      method: "POST",
      body: "{}",
    });
    tokens.set(name, token);
    if (HOSTS.includes(name)) startRemote(name);
  };
  await Promise.all([byCli(), ...rest.map(byApi)]);
});

afterAll(async () => {
  for (const ws of rawSockets) ws.terminate();
  for (const c of clients) await c.close();
  for (const child of everyChild) killChild(child, "SIGTERM");
  await waitFor(() => everyChild.every((c) => c.exitCode !== null || c.signalCode !== null), {
    timeoutMs: 5_000,
  }).catch(() => undefined);
  for (const child of everyChild) killChild(child, "SIGKILL");
  if (process.env.DISPATCH_TEST_KEEP_LOGS) {
    for (const file of ["hub.out", "hub.log"]) {
      try {
        writeFileSync(join(process.env.DISPATCH_TEST_KEEP_LOGS, file), readFileSync(join(hub.home, file)));
      } catch {
        // Not written: nothing to keep.
      }
    }
  }
  await cleanupAll();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe("many hosts, one hub", () => {
  it("issues each token once and refuses a second one for the same name", async () => {
    expect(tokens.get("h1")).toMatch(/^dsh_[A-Za-z0-9_-]{40,}$/);
    const [again, local] = await Promise.all([
      hub.cli(["hosts", "token", "create", "h1"]),
      hub.cli(["hosts", "token", "create", "local"]),
    ]);
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("already has a token");
    expect(local.code).toBe(1);
  });

  it("connects five remote hosts at once, each running sessions", async () => {
    const hosts = await waitForStatus(HOSTS, "connected");
    await Promise.all(HOSTS.map((name) => createCounter(name, `cnt-${name}`)));
    await Promise.all(HOSTS.map((name) => waitForCount(`cnt-${name}`, 3)));

    // The table below shows h3's RTT: waited for (measured at its first heartbeat answer).
    await waitFor(
      async () => {
        const now = await hostsByName();
        return ["h1", "h3"].every((name) => now.get(name)?.rttMs !== null);
      },
      { message: "an RTT for h1 and h3" },
    );
    // Read-only calls side by side: each is a Node boot.
    const [listed, table, ls, stats] = await Promise.all([
      hub.cli(["hosts", "--json"]),
      hub.cli(["hosts"]),
      hub.cli(["ls", "--host", "h2", "--json"]),
      hub.cli(["hosts", "stats", "h2", "--json"]),
    ]);
    expect(listed.code, listed.stderr).toBe(0);
    const byName = new Map((JSON.parse(listed.stdout) as Host[]).map((h) => [h.name, h]));
    expect(byName.get("local")?.kind).toBe("local");
    for (const name of HOSTS) {
      const host = byName.get(name) as Host;
      expect(host).toMatchObject({ id: name, kind: "remote", status: "connected", labels: { role: "test" } });
      expect(host.sessions).toMatchObject({ total: 1, running: 1 });
      expect(["healthy", "warning", "critical"]).toContain(host.health);
      expect(hosts.get(name)?.id).toBe(name);
    }
    expect(table.stdout).toMatch(/^h3\s+connected\s+\w+\s+\d+ms/m);

    expect((JSON.parse(ls.stdout) as Session[]).map((s) => s.name)).toEqual(["cnt-h2"]);
    expect(JSON.parse(stats.stdout)).toMatchObject({
      host: "h2",
      total: 1,
      running: 1,
      exited: 0,
      orphaned: 0,
    });
    expect(JSON.parse(stats.stdout).storedBytes).toBeGreaterThan(0);
    expect((await session("cnt-h2")).reachable).toBe(true);
  });

  it("marks a SIGKILLed host disconnected, leaves the others alone, and takes it back on restart", async () => {
    const watcher = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
    clients.push(watcher);
    await watcher.request({ type: "hello", protocol: 1 });
    const before = new Map<string, number>();
    for (const name of HOSTS) before.set(name, (await session(`cnt-${name}`)).lastSeq);

    const h3 = remotes.get("h3") as RemoteHost;
    killChild(h3.child, "SIGKILL");
    await waitForStatus(["h3"], "disconnected");
    await watcher.waitFor(
      (m) =>
        m.type === "host" && (m.host as Host).name === "h3" && (m.host as Host).status === "disconnected",
    );
    expect((await session("cnt-h3")).reachable).toBe(false);
    const sent = await hub.api("/api/sessions/cnt-h3/input", {
      method: "POST",
      body: JSON.stringify({ data: "x" }),
    });
    expect(sent.status).toBe(503);

    const others = HOSTS.filter((n) => n !== "h3");
    const hosts = await hostsByName();
    for (const name of others) expect(hosts.get(name)?.status).toBe("connected");
    for (const name of others) {
      await waitFor(async () => (await session(`cnt-${name}`)).lastSeq > (before.get(name) as number) + 5, {
        message: `${name} still streaming`,
      });
      expect((await session(`cnt-${name}`)).reachable).toBe(true);
    }

    const stored = await counted("cnt-h3");
    startRemote("h3", h3.home);
    await waitForStatus(["h3"], "connected");
    expect((await hostsByName()).get("h3")?.id).toBe("h3");
    // Its PTY died with it: the restarted host no longer knows the session, so it is orphaned,
    // and every line it printed before is still there, once.
    const orphan = await waitFor(async () => {
      const s = await session("cnt-h3");
      return s.status === "orphaned" ? s : undefined;
    });
    expect(orphan.reason).toContain("no longer knows");
    expect(await counted("cnt-h3")).toBeGreaterThanOrEqual(stored);
    await createCounter("h3", "cnt-h3b");
    await waitForCount("cnt-h3b", 3);
  });

  it("loses no output across a hub restart: remote hosts buffer and replay, every line once", async () => {
    const port = hub.port;
    const names = HOSTS.map((n) => (n === "h3" ? "cnt-h3b" : `cnt-${n}`));
    const before = new Map<string, number>();
    for (const name of names) before.set(name, await counted(name));
    const logMarks = new Map(HOSTS.map((n) => [n, (remotes.get(n) as RemoteHost).log.length]));

    expect((await hub.cli(["stop"])).code).toBe(0);
    // Every host noticed and keeps its sessions printing into its buffer.
    await waitFor(
      () =>
        HOSTS.every((n) =>
          (remotes.get(n) as RemoteHost).log.slice(logMarks.get(n)).includes("hub link down"),
        ),
      { message: "hosts saw the hub go" },
    );
    // One host cannot dial back yet: the restarted hub shows it reconnecting, as it was
    // connected when the hub stopped (not `unknown`).
    const paused = (remotes.get("h1") as RemoteHost).child;
    paused.kill("SIGSTOP");
    try {
      const started = await hub.cli(["start", "--port", String(port)]);
      expect(started.code, started.stderr).toBe(0);
      expect((await hostsByName()).get("h1")?.status).toBe("reconnecting");
    } finally {
      paused.kill("SIGCONT");
    }
    await waitForStatus(HOSTS, "connected", 30_000);

    await Promise.all(
      names.map(async (name) => {
        const total = await waitForCount(name, (before.get(name) as number) + 20);
        expect(total).toBeGreaterThan(before.get(name) as number);
        expect((await session(name)).status).toBe("running");
      }),
    );
  });

  it("cuts a host off when its token is revoked; it cannot dial back in", async () => {
    const h4 = remotes.get("h4") as RemoteHost;
    const mark = h4.log.length;
    const revoked = await hub.cli(["hosts", "token", "revoke", "h4"]);
    expect(revoked.code, revoked.stderr).toBe(0);
    expect(revoked.stdout).toContain("disconnected");
    await waitForStatus(["h4"], "failed");
    await waitFor(() => h4.log.slice(mark).includes("refused this host's token"), { message: "h4 refused" });
    await expect(rawHost(h4.token)).rejects.toThrow("HTTP 401");
    const hosts = await hostsByName();
    expect(hosts.get("h4")?.status).toBe("failed");
    for (const name of ["h1", "h2", "h3", "h5"]) expect(hosts.get(name)?.status).toBe("connected");
    expect((await session("cnt-h4")).reachable).toBe(false);
    expect(h4.child.exitCode).toBeNull();
  });

  it("drops a host that sends garbage or reaches for other hosts' sessions, and no one else", async () => {
    const victim = await session("cnt-h1");
    const evilToken = tokens.get("evil") as string;
    const h2Cat = (
      await json<{ session: Session }>("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "cat-h2", host: "h2", cwd: tmpdir(), command: ["cat"] }),
      })
    ).session;

    // 1. A valid hello, then output for another host's session.
    const first = await rawHost(evilToken);
    first.ws.send(hello());
    await waitFor(() => first.received.find((m) => m.type === "sync"), { message: "sync" });
    await waitForStatus(["evil"], "connected");
    // Input for h2's session reaches h2 only.
    await hub.api("/api/sessions/cat-h2/input", {
      method: "POST",
      body: JSON.stringify({ data: "for-h2-only\r" }),
    });
    await waitFor(async () => (await storedOutput(hub, h2Cat.name)).includes("for-h2-only"), {
      message: "echo",
    });
    expect(new Set(first.received.map((m) => m.type))).toEqual(new Set(["sync", "ping"]));
    first.ws.send(
      encodeOutputFrame({
        session: victim.id,
        seq: victim.lastSeq + 1000,
        ts: Date.now(),
        data: Buffer.from("EVIL"),
      }),
    );
    await first.closed;
    await waitForStatus(["evil"], "failed");

    // 2. A hello that claims another host's session.
    const second = await rawHost(evilToken);
    second.ws.send(
      hello([
        {
          id: victim.id,
          kind: "terminal",
          pid: 1,
          running: true,
          exitCode: null,
          lastSeq: 0,
          cols: 80,
          rows: 24,
          foreground: null,
        },
      ]),
    );
    await second.closed;
    expect(second.received.find((m) => m.type === "sync")).toBeUndefined();

    // 3. Not even JSON.
    const third = await rawHost(evilToken);
    third.ws.send("{this is not json");
    await third.closed;

    // 4. A schema violation after a valid hello.
    const fourth = await rawHost(evilToken);
    fourth.ws.send(hello());
    fourth.ws.send(JSON.stringify({ type: "event", event: { session: victim.id, seq: -4, type: "exit" } }));
    await fourth.closed;

    const after = await session("cnt-h1");
    expect(after).toMatchObject({ host: "h1", status: "running", reachable: true });
    await waitFor(async () => (await session("cnt-h1")).lastSeq > after.lastSeq + 5, {
      message: "h1 streaming",
    });
    expect(await storedOutput(hub, "cnt-h1")).not.toContain("EVIL");
    await counted("cnt-h1");
    const hosts = await hostsByName();
    for (const name of ["h1", "h2", "h3", "h5"]) expect(hosts.get(name)?.status).toBe("connected");
    const log = await waitFor(() => {
      const text = readFileSync(join(hub.home, "hub.log"), "utf8");
      return text.includes("host dropped for breaking the protocol") ? text : undefined;
    });
    expect(log).toContain("belongs to host 'h1'");
  });

  it("cleans up a host's orphaned and ended sessions, and running ones only with --force", async () => {
    await json("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "done-h3", host: "h3", cwd: tmpdir(), command: ["sh", "-c", "echo bye"] }),
    });
    await waitFor(async () => (await session("done-h3")).status === "exited", { message: "done-h3 exited" });

    // Read-only calls side by side: each is a Node boot.
    const [plain, all, young, bad] = await Promise.all([
      hub.cli(["ls", "--host", "h3", "--json"]),
      hub.cli(["ls", "--host", "h3", "--include-orphaned", "--json"]),
      hub.cli(["hosts", "cleanup", "h3", "--orphaned", "--older-than", "1h"]),
      hub.cli(["hosts", "cleanup", "h3", "--older-than", "soon"]),
    ]);
    expect((JSON.parse(plain.stdout) as Session[]).map((s) => s.name).sort()).toEqual(["cnt-h3b", "done-h3"]);
    expect((JSON.parse(all.stdout) as Session[]).map((s) => s.name).sort()).toEqual([
      "cnt-h3",
      "cnt-h3b",
      "done-h3",
    ]);

    expect(young.code, young.stderr).toBe(0);
    expect(young.stderr).toContain("nothing to clean up");
    expect(bad.code).toBe(2);

    const gentle = await hub.cli(["hosts", "cleanup", "h3"]);
    expect(gentle.code, gentle.stderr).toBe(0);
    expect(gentle.stdout).toContain("removed cnt-h3 (orphaned)");
    expect(gentle.stdout).toContain("removed done-h3 (exited)");
    expect(gentle.stdout).toContain("kept cnt-h3b");
    // What is left, through the API: `ls --host --include-orphaned` and `hosts stats` are the
    // CLI calls above, and each is a Node boot.
    const left = await json<{ sessions: Session[] }>("/api/hosts/h3/sessions?includeOrphaned=true");
    expect(left.sessions.map((s) => s.name)).toEqual(["cnt-h3b"]);

    const forced = await hub.cli(["hosts", "cleanup", "h3", "--force"]);
    expect(forced.code, forced.stderr).toBe(0);
    expect(forced.stdout).toContain("removed cnt-h3b (running)");
    const { stats } = await json<{ stats: unknown }>("/api/hosts/h3/stats");
    expect(stats).toMatchObject({ total: 0, running: 0, orphaned: 0 });
    expect((await hostsByName()).get("h3")?.status).toBe("connected");
  });

  it("sends new sessions to the current host chosen with `dispatch use`", async () => {
    expect((await hub.cli(["use"])).stdout.trim()).toBe("local");
    const used = await hub.cli(["use", "h5"]);
    expect(used.code, used.stderr).toBe(0);
    // None of these changes the current host (the last three are refused): side by side, as
    // each is a Node boot.
    const [current, created, explicit, typo, nowhere, far] = await Promise.all([
      hub.cli(["use"]),
      hub.cli(["new", "--cwd", tmpdir(), "--", "sleep", "30"]),
      hub.cli(["new", "--host", "local", "--cwd", tmpdir(), "--", "sleep", "30"]),
      hub.cli(["use", "h55"]),
      hub.cli(["new", "--host", "h55", "--", "true"]),
      hub.cli(["new", "--host", "zzzzzz", "--", "true"]),
    ]);
    expect(current.stdout.trim()).toBe("h5");
    expect(created.code, created.stderr).toBe(0);
    expect((await session(created.stdout.trim())).host).toBe("h5");
    expect((await session(explicit.stdout.trim())).host).toBe("local");
    expect(typo.code).toBe(1);
    expect(typo.stderr).toContain("h5");
    // A host that does not exist is not "not connected": the error names the hosts there are.
    expect(nowhere.code).not.toBe(0);
    expect(nowhere.stderr).toMatch(/no host 'h55'.*h5/);
    expect(nowhere.stderr).not.toMatch(/not connected/);
    expect(far.stderr).toMatch(/no host 'zzzzzz' \(hosts: .*\bh5\b/);
    expect((await hub.cli(["use", "local"])).code).toBe(0);
    const local = await hub.cli(["new", "--cwd", tmpdir(), "--", "sleep", "30"]);
    expect((await session(local.stdout.trim())).host).toBe("local");
  });
});
