/**
 * A remote host whose token the hub refuses, on real processes: a real hub, and `dispatch host`
 * processes with their own homes. A token refused at start (mistyped, or revoked before) ends
 * the host at once with exit code 1 and what to do; a token revoked while the host runs
 * sessions stops its dialing for good (no more failed sign-ins against its address), while
 * its sessions keep running until its operator stops it, which then exits 1, or until the last
 * of them ends, when the host exits 0 by itself. Revoked while nothing runs, it exits 1 at once.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";

/** What the hub logs for every refused `/host` upgrade (one failed sign-in each). */
const HUB_REFUSAL = "host refused: missing, unknown or revoked host token";
/** What a remote host logs at debug level before every dial. */
const DIAL = "dialing the hub";

interface RemoteHost {
  child: ChildProcess;
  home: string;
  /** Everything it wrote to stderr (its log and its plain lines). */
  stderr: string;
}

let hub: HubHandle;
const children: ChildProcess[] = [];
const homes: string[] = [];

function startRemote(name: string, token: string): RemoteHost {
  const home = mkdtempSync(join(tmpdir(), `dispatch-refused-${name}-`));
  homes.push(home);
  const child = spawn(process.execPath, [BIN, "host", "--hub", hub.url, "--token", token, "--name", name], {
    // Debug: every dial shows in the host's log.
    env: cleanEnv({ DISPATCH_HOME: home, HOME: home, DISPATCH_LOG_LEVEL: "debug" }),
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  children.push(child);
  const remote: RemoteHost = { child, home, stderr: "" };
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    remote.stderr += chunk;
  });
  return remote;
}

function running(child: ChildProcess): boolean {
  return child.exitCode === null && child.signalCode === null;
}

function kill(child: ChildProcess, signal: NodeJS.Signals): void {
  if (!running(child) || child.pid === undefined) return;
  try {
    process.kill(child.pid, signal);
  } catch {
    // Already gone.
  }
}

process.on("exit", () => {
  for (const child of children) kill(child, "SIGKILL");
});

/**
 * The host's exit code, once it exited (null when a signal ended it); fails after 30 s (two
 * hosts may boot side by side on a loaded machine).
 */
function exitCode(remote: RemoteHost): Promise<number | null> {
  return waitFor(() => (running(remote.child) ? undefined : { code: remote.child.exitCode }), {
    timeoutMs: 30_000,
    message: "the host exited",
  }).then(
    ({ code }) => code,
    (err: Error) => {
      throw new Error(`${err.message}; its stderr so far:\n${remote.stderr}`);
    },
  );
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    // ESRCH: gone.
    return false;
  }
}

function occurrences(text: string, needle: string): number {
  return text.split(needle).length - 1;
}

const hubRefusals = () => occurrences(readFileSync(join(hub.home, "hub.log"), "utf8"), HUB_REFUSAL);

/**
 * A host token made and revoked through the API: `dispatch hosts token create|revoke` are tested
 * in hosts.test.ts, and each CLI call here would be a Node boot.
 */
async function createToken(name: string): Promise<string> {
  const created = await hub.api(`/api/hosts/${name}/token`, { method: "POST", body: "{}" });
  const text = await created.text();
  expect(created.ok, text).toBe(true);
  return (JSON.parse(text) as { token: string }).token;
}

async function revokeToken(name: string): Promise<void> {
  const revoked = await hub.api(`/api/hosts/${name}/token`, { method: "DELETE" });
  expect(revoked.ok, await revoked.text()).toBe(true);
}

async function hostStatus(name: string): Promise<string | undefined> {
  const response = await hub.api("/api/hosts");
  const { hosts } = (await response.json()) as { hosts: { name: string; status: string }[] };
  return hosts.find((host) => host.name === name)?.status;
}

/** Starts a session running `script` (sh) on `host`; resolves with its id. */
async function startSession(host: string, name: string, script: string): Promise<string> {
  const created = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name, host, cwd: tmpdir(), command: ["sh", "-c", script] }),
  });
  const text = await created.text();
  expect(created.ok, text).toBe(true);
  return (JSON.parse(text) as { session: { id: string } }).session.id;
}

/** Revokes `remote`'s token and waits until it says it stopped dialing. */
async function revoke(name: string, remote: RemoteHost): Promise<void> {
  const mark = remote.stderr.length;
  await revokeToken(name);
  await waitFor(() => remote.stderr.slice(mark).includes("This host has stopped dialing"), {
    message: "the host says it stopped dialing",
  });
}

const lineCount = (file: string) =>
  existsSync(file) ? readFileSync(file, "utf8").split("\n").length - 1 : 0;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  for (const child of children) kill(child, "SIGTERM");
  await waitFor(() => children.every((child) => !running(child)), { timeoutMs: 5_000 }).catch(
    () => undefined,
  );
  for (const child of children) kill(child, "SIGKILL");
  await cleanupAll();
  for (const home of homes) rmSync(home, { recursive: true, force: true });
});

describe("a remote host whose token the hub refuses", () => {
  it("exits 1 at once, saying what to do, when its token is wrong or already revoked", async () => {
    const revokedToken = await createToken("gone");
    await revokeToken("gone");
    const rightButUnused = await createToken("typo");
    const before = hubRefusals();
    // Side by side: each host is a Node boot, and each is refused on its own.
    const cases = [
      ["typo", `${rightButUnused}x`],
      ["gone", revokedToken],
    ] as const;
    const remotes = cases.map(([name, token]) => startRemote(name, token));
    for (const [i, [name]] of cases.entries()) {
      const remote = remotes[i] as RemoteHost;
      expect(await exitCode(remote), remote.stderr).toBe(1);
      expect(remote.stderr).toContain(
        `dispatch: the hub ${hub.url} refused this host's token (revoked or wrong); get a new one with ` +
          `\`dispatch hosts token create ${name}\` on the hub and restart this host with it`,
      );
      expect(occurrences(remote.stderr, DIAL)).toBe(1);
    }
    // One refusal each, no more.
    await waitFor(() => hubRefusals() === before + cases.length, { message: "one refusal each on the hub" });
    expect(hubRefusals()).toBe(before + cases.length);
  });

  it("stops dialing once revoked, keeps its sessions running until stopped, then exits 1", async () => {
    const token = await createToken("cut");
    const remote = startRemote("cut", token);
    await waitFor(async () => (await hostStatus("cut")) === "connected", { message: "cut connected" });
    // A session that leaves its pid and its own clock on the host's disk: a line every 50 ms.
    const ticks = join(remote.home, "ticks");
    const pidFile = join(remote.home, "ticker.pid");
    const created = await hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({
        name: "ticker",
        host: "cut",
        cwd: tmpdir(),
        command: ["sh", "-c", `echo $$ > ${pidFile}; while :; do echo tick >> ${ticks}; sleep 0.05; done`],
      }),
    });
    expect(created.ok, await created.text()).toBe(true);
    await waitFor(() => lineCount(ticks) > 0, { message: "the session ticks" });
    const sessionPid = Number(readFileSync(pidFile, "utf8"));

    const refusalsBefore = hubRefusals();
    const mark = remote.stderr.length;
    await revokeToken("cut");
    // Said twice, in its JSON log and as a plain line, which need not reach the pipe in order.
    await waitFor(
      () => {
        const said = remote.stderr.slice(mark);
        return (
          said.includes("dispatch host 'cut': the hub") && /"level":50,.*This host has stopped/.test(said)
        );
      },
      { message: "the host says it stopped dialing" },
    );
    const after = remote.stderr.slice(mark);
    expect(after).toContain(
      `dispatch host 'cut': the hub ${hub.url} refused this host's token (revoked or wrong); get a new one with ` +
        "`dispatch hosts token create cut` on the hub and restart this host with it (or, if the hub runs " +
        "an older dispatch than this host, upgrade the hub first). This host has stopped " +
        "dialing: its sessions keep running here, cut off from the hub, until they end (then it exits) or " +
        "you stop it (Ctrl-C or SIGTERM, which ends them)",
    );
    // The same words in its (JSON) log.
    expect(after).toMatch(
      /"level":50,.*"msg":"the hub [^"]* refused this host's token .*This host has stopped/,
    );
    const dials = occurrences(remote.stderr, DIAL);
    // The cut link's one redial was refused; nothing since.
    const refusals = await waitFor(() => hubRefusals() === refusalsBefore + 1 && refusalsBefore + 1, {
      message: "one refusal on the hub",
    });

    // 20 more ticks (at least 1 s) on the session's clock: it still runs, and a host still
    // dialing would have tried again within 750 ms (backoff 250 ms, then 500 ms) and been
    // refused again.
    const ticked = lineCount(ticks);
    await waitFor(() => lineCount(ticks) >= ticked + 20, { message: "the session keeps running" });
    expect(occurrences(remote.stderr, DIAL)).toBe(dials);
    expect(hubRefusals()).toBe(refusals);
    const sinceRefusal = remote.stderr.slice(remote.stderr.indexOf("refused this host's token", mark));
    expect(sinceRefusal).not.toContain("dialing again");
    expect(running(remote.child)).toBe(true);
    expect(await hostStatus("cut")).toBe("failed");

    // Its operator stops it: the sessions end with it, and the exit says why it was cut off.
    kill(remote.child, "SIGTERM");
    expect(await exitCode(remote), remote.stderr).toBe(1);
    expect(remote.stderr).toContain(
      `dispatch: the hub ${hub.url} refused this host's token (revoked or wrong)`,
    );
    await waitFor(() => !alive(sessionPid), { message: "the session ended with its host" });
  });

  it("exits 0 by itself, saying so, once the last session of a cut-off host has ended", async () => {
    const token = await createToken("last");
    const remote = startRemote("last", token);
    await waitFor(async () => (await hostStatus("last")) === "connected", { message: "last connected" });
    // Two sessions, each running until the test leaves a file for it; one ticks every 50 ms.
    const ticks = join(remote.home, "ticks");
    const stop = (session: string) => join(remote.home, `stop-${session}`);
    const brief = await startSession("last", "brief", `while [ ! -e ${stop("brief")} ]; do sleep 0.05; done`);
    await startSession(
      "last",
      "keeper",
      `while [ ! -e ${stop("keeper")} ]; do echo tick >> ${ticks}; sleep 0.05; done`,
    );
    await waitFor(() => lineCount(ticks) > 0, { message: "the keeper ticks" });
    await revoke("last", remote);

    // One of two ends: the host keeps the other running (10 more ticks on its clock).
    writeFileSync(stop("brief"), "");
    await waitFor(() => remote.stderr.includes(`"session":"${brief}","msg":"session exited"`), {
      message: "the brief session ended on the host",
    });
    const ticked = lineCount(ticks);
    await waitFor(() => lineCount(ticks) >= ticked + 10, { message: "the keeper keeps running" });
    expect(running(remote.child)).toBe(true);

    // The last one ends: the host says why it goes, and goes.
    writeFileSync(stop("keeper"), "");
    expect(await exitCode(remote), remote.stderr).toBe(0);
    expect(remote.stderr).toContain(
      "dispatch host 'last': its last session has ended, and nothing can reach this host any more " +
        "(its token was refused): it exits",
    );
  });

  it("exits 1 at once when revoked while none of its sessions runs", async () => {
    const token = await createToken("idle");
    const remote = startRemote("idle", token);
    await waitFor(async () => (await hostStatus("idle")) === "connected", { message: "idle connected" });
    await revokeToken("idle");
    expect(await exitCode(remote), remote.stderr).toBe(1);
    expect(remote.stderr).toContain(
      `dispatch: the hub ${hub.url} refused this host's token (revoked or wrong); get a new one with ` +
        "`dispatch hosts token create idle` on the hub and restart this host with it",
    );
    expect(remote.stderr).not.toContain("This host has stopped dialing");
  });
});
