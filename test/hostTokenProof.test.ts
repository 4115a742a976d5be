/**
 * A remote host's token and a session's token never leave their process either: the host
 * daemon proves its host token when it dials `/host`, `dispatch notify` its session token, each
 * keyed on the token's hash as the hub stores it, and each believes only a hub that proves it
 * back. Real parts: a real hub, a real `dispatch host` process, real `dispatch notify` runs, and
 * a program that takes the hub's port while the hub is stopped (`rogueListener.ts`).
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import WebSocket from "ws";
import { BIN, cleanEnv, type HubHandle, REPO_ROOT, runCli, startHub, waitFor } from "./harness.js";
import { nothingLeaked, type Rogue, startRogue } from "./rogueListener.js";

let hub: HubHandle;
let root: string;
const rogues: Rogue[] = [];
const remotes: { child: ChildProcess; stderr: string }[] = [];

/** The session and token `dispatch notify` is given inside session `tk`. */
let session: { id: string; token: string };

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-host-proof-"));
  const tokenFile = join(root, "session-token");
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  // An agent that hands the test what its hook would use, then waits.
  const script = `printf '%s %s' "$DISPATCH_SESSION" "$DISPATCH_SESSION_TOKEN" > ${tokenFile}; exec sleep 600`;
  writeFileSync(
    join(config, "config.toml"),
    ["[agents.tokened]", 'command = "sh"', `args = ["-c", ${JSON.stringify(script)}]`, ""].join("\n"),
  );
  hub = await startHub({ env: { XDG_CONFIG_HOME: join(root, "config") } });
  const created = await hub.cli(["new", "--agent", "tokened", "--name", "tk", "--cwd", root]);
  expect(created.code, created.stderr).toBe(0);
  const [id, token] = await waitFor(
    () => {
      try {
        const parts = readFileSync(tokenFile, "utf8").split(" ");
        return parts.length === 2 && parts[1] ? parts : undefined;
      } catch {
        return undefined;
      }
    },
    { message: "the agent wrote its session token" },
  );
  session = { id: id as string, token: token as string };
});

afterAll(async () => {
  for (const { child } of remotes) {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) continue;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGKILL");
    await exited;
  }
  await Promise.all(rogues.map((rogue) => rogue.close()));
  await hub?.stop();
  if (root) rmSync(root, { recursive: true, force: true });
});

async function rogueOn(port = 0, options: { refuseUpgrades?: boolean } = {}): Promise<Rogue> {
  const rogue = await startRogue(port, options);
  rogues.push(rogue);
  return rogue;
}

/** `dispatch notify` as an agent's hook runs it, with the hub's address `url` and this token. */
function notify(url: string, token: string, state = "waiting") {
  const env = cleanEnv({
    HOME: root,
    DISPATCH_SESSION: session.id,
    DISPATCH_SESSION_TOKEN: token,
    DISPATCH_URL: url,
  });
  return runCli(["notify", "--state", state, "--message", "proof test"], env);
}

async function agentState(): Promise<{ state?: string; source?: string } | undefined> {
  const response = await hub.api("/api/sessions/tk");
  return ((await response.json()) as { session: { agent?: { state?: string; source?: string } } }).session
    .agent;
}

const hubLog = () => readFileSync(join(hub.home, "hub.log"), "utf8");

async function hostStatus(name: string): Promise<string | undefined> {
  const response = await hub.api("/api/hosts");
  const { hosts } = (await response.json()) as { hosts: { name: string; status: string }[] };
  return hosts.find((host) => host.name === name)?.status;
}

/** `dispatch host` linked to the hub with this token, its stderr gathered; killed after the file. */
function startRemoteHost(name: string, token: string): { child: ChildProcess; stderr: string } {
  const home = join(root, `${name}-home`);
  mkdirSync(home);
  const child = spawn(process.execPath, [BIN, "host", "--hub", hub.url, "--token", token, "--name", name], {
    env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  const host = { child, stderr: "" };
  remotes.push(host);
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    host.stderr += chunk;
  });
  return host;
}

/** A host token for `name` and its `dispatch host`, once the hub lists it connected. */
async function linkedHost(name: string) {
  const token = await createHostToken(name);
  const host = startRemoteHost(name, token);
  const online = (what: string) =>
    waitFor(async () => (await hostStatus(name)) === "connected", {
      timeoutMs: 60_000,
      message: `host ${name} connected ${what}\n${host.stderr}`,
    });
  await online("at first");
  return { token, host, online };
}

async function createHostToken(name: string): Promise<string> {
  const created = await hub.cli(["hosts", "token", "create", name]);
  expect(created.code, created.stderr).toBe(0);
  return created.stdout.trim();
}

describe("dispatch notify", () => {
  it("proves its session token to the hub, which takes it", async () => {
    const sent = await notify(hub.url, session.token, "waiting");
    expect(sent.code, sent.stderr).toBe(0);
    expect(await agentState()).toMatchObject({ state: "waiting", source: "hook" });
  });

  it("tells a program where it looks for the hub nothing that works there", async () => {
    const rogue = await rogueOn();
    const sent = await notify(rogue.url, session.token, "done");
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain(`what answers at ${rogue.url} did not take this session's token`);
    expect(rogue.requests.map((r) => `${r.method} ${r.url}`)).toEqual([
      `POST /api/sessions/${session.id}/notify`,
    ]);
    await nothingLeaked(rogue, hub.url, [session.token]);
    expect(await agentState()).toMatchObject({ state: "waiting" });
  });

  it("is refused, clearly, with a token that is not the session's", async () => {
    const sent = await notify(hub.url, "not-this-sessions-token");
    expect(sent.code).toBe(1);
    expect(sent.stderr).toContain("did not take this session's token (DISPATCH_SESSION_TOKEN)");
    expect(sent.stderr).toContain("the session may have ended");
  });

  it("still takes the token as a bearer, as the previous release sends it, and logs that", async () => {
    const response = await fetch(`${hub.url}/api/sessions/${session.id}/notify`, {
      method: "POST",
      headers: { authorization: `Bearer ${session.token}`, "content-type": "application/json" },
      body: JSON.stringify({ state: "working" }),
    });
    expect(response.status, await response.text()).toBe(200);
    // The hub's log is written behind its answer: wait for the line, do not race it.
    await waitFor(() => hubLog().includes("`dispatch notify` sent its session token as a bearer"), {
      message: "the hub logged that dispatch notify sent its session token as a bearer",
    });
  });
});

describe("a remote host dialing the hub", () => {
  it("tells a program that took the hub's port nothing that works, and links to the hub once it is back", async () => {
    const { token, host, online } = await linkedHost("rh");

    const port = hub.port;
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const rogue = await rogueOn(port);
    await waitFor(() => rogue.requests.some((r) => r.method === "UPGRADE" && r.url === "/host"), {
      timeoutMs: 60_000,
      message: `the host dialed the program on the hub's port\n${host.stderr}`,
    });
    // What it dialed with is a proof, not the token.
    for (const { headers } of rogue.requests) expect(JSON.stringify(headers)).not.toContain(token);
    await waitFor(() => host.stderr.includes("did not prove it knows this host's token"), {
      message: `the host dropped the unproven server\n${host.stderr}`,
    });
    await rogue.close();
    // The host said nothing to it: no hello, no session, no output.
    expect(rogue.messages).toEqual([]);

    const started = await hub.cli(["start", "--port", String(port)]);
    expect(started.code, started.stderr).toBe(0);
    await nothingLeaked(rogue, hub.url, [token]);
    await online("again, with the hub back");
    // Steps of real processes (a hub stopped and started, a host backing off): not a deadline.
  }, 180_000);

  it("dials on past a program on the hub's port that refuses it (401) without proving it knows the token, and links once the hub is back", async () => {
    const { token, host, online } = await linkedHost("rh401");

    const port = hub.port;
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    const rogue = await rogueOn(port, { refuseUpgrades: true });
    // Refused twice: the first 401 did not stop it.
    const refusedUnproven = "refused this host's token without proving it knows the token";
    await waitFor(() => host.stderr.split(refusedUnproven).length > 2, {
      timeoutMs: 60_000,
      message: `the host dialed the refusing program twice\n${host.stderr}`,
    });
    expect(host.child.exitCode).toBeNull();
    await rogue.close();

    const started = await hub.cli(["start", "--port", String(port)]);
    expect(started.code, started.stderr).toBe(0);
    await nothingLeaked(rogue, hub.url, [token]);
    await online("again, with the hub back");
    expect(host.stderr).not.toContain("refused this host's token (revoked or wrong)");
  }, 180_000);

  it("still links with its token as a bearer, as the previous release sends it, and the hub logs that", async () => {
    const token = await createHostToken("old");
    const ws = new WebSocket(`${hub.url.replace(/^http/, "ws")}/host`, {
      headers: { authorization: `Bearer ${token}` },
    });
    try {
      await new Promise<void>((resolve, reject) => {
        ws.once("open", () => resolve());
        ws.once("error", reject);
        ws.once("unexpected-response", (_request, response) =>
          reject(new Error(`HTTP ${response.statusCode}`)),
        );
      });
    } finally {
      ws.terminate();
    }
    await waitFor(() => /"host":"old".*host dialed with its token as a bearer/.test(hubLog()), {
      message: "the hub logged that host 'old' dialed with its token as a bearer",
    });
  });
});
