/**
 * One hub per data directory, on real `dispatch` processes: `serve` and `start` beside a running
 * hub of the same `DISPATCH_HOME` leave it alone and say so, starts at once run one hub, and a
 * hub leaves the files the CLI finds hubs by to the hub they name. Also what a start that
 * cannot have its port says and leaves behind: a port another data directory's hub listens on,
 * and a port some other program holds.
 */
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { type AddressInfo, createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isAlive } from "../src/platform/processAlive.js";
import { BIN, cleanEnv, cleanupAll, REPO_ROOT, runCli, startHub, waitFor } from "./harness.js";

/** Data directories made here (not through `startHub`): every process of theirs ends after each test. */
const homes: string[] = [];
const children: ChildProcess[] = [];
const blockers: Server[] = [];

afterEach(async () => {
  for (const child of children.splice(0)) child.kill("SIGKILL");
  for (const blocker of blockers.splice(0)) blocker.close();
  for (const home of homes.splice(0)) {
    // `stop --all` is a Node boot: spent only on a home where something still runs.
    if (processesOf(home).length > 0)
      await runCli(["stop", "--all"], envOf(home), { timeoutMs: 20_000 }).catch(() => undefined);
    // Killed until none is left: a hub killed while starting may have started a host just then.
    await waitFor(
      () => {
        const left = processesOf(home);
        for (const pid of left) kill(pid, "SIGKILL");
        return left.length === 0;
      },
      { message: `every process of ${home} ends` },
    );
    rmSync(home, { recursive: true, force: true });
  }
});
afterAll(cleanupAll);

function freshHome(): string {
  const home = mkdtempSync(join(tmpdir(), "dispatch-onehub-"));
  homes.push(home);
  return home;
}

function envOf(home: string): Record<string, string> {
  return cleanEnv({ DISPATCH_HOME: home, HOME: home });
}

function readHubJson(home: string): { pid: number; port: number } {
  return JSON.parse(readFileSync(join(home, "hub.json"), "utf8")) as { pid: number; port: number };
}

function kill(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(pid, signal);
  } catch {
    // Already gone.
  }
}

/** Every live process whose environment names `home` (a hub, its supervisor, a host). Linux. */
function processesOf(home: string): number[] {
  const needle = `DISPATCH_HOME=${home}\0`;
  return readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .filter((entry) => {
      try {
        return `${readFileSync(`/proc/${entry}/environ`, "utf8")}\0`.includes(needle);
      } catch {
        // Gone, or not ours to read.
        return false;
      }
    })
    .map(Number)
    .filter((pid) => isAlive(pid));
}

/** A port some other program listens on. */
async function takenPort(): Promise<number> {
  const blocker = createServer();
  blockers.push(blocker);
  await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
  return (blocker.address() as AddressInfo).port;
}

describe("one hub per data directory", () => {
  it("`serve` beside a running hub refuses, naming it; the hub keeps serving and being found", async () => {
    const h = await startHub();
    const hubPid = h.pids().hub as number;
    const port = h.port;

    // Before the fix this second hub ran (a timeout here) on the same database.
    const refused = await h.cli(["serve", "--port", "0"], { timeoutMs: 30_000 });
    expect(refused.code, refused.stdout).toBe(1);
    expect(refused.stderr).toBe(
      `dispatch: a hub already runs for ${h.home} (pid ${hubPid}, port ${port}); stop it with \`dispatch stop\` or use another DISPATCH_HOME\n`,
    );
    expect((await h.api("/api/health")).ok).toBe(true);
    expect(readHubJson(h.home)).toMatchObject({ pid: hubPid, port });
    expect(h.pids().hub).toBe(hubPid);
    const status = await h.cli(["status"]);
    expect(status.stdout).toMatch(
      new RegExp(`^hub\\s+running\\s+pid ${hubPid}\\s+http://127\\.0\\.0\\.1:${port}`, "m"),
    );
    const again = await h.cli(["start", "--port", "0"]);
    expect(again.code, again.stderr).toBe(0);
    expect(again.stdout).toBe(`the hub is already running at http://127.0.0.1:${port} (pid ${hubPid})\n`);

    // Killed outright (its supervisor first, so nothing restarts it), the hub leaves its files
    // but no lock: the next hub starts.
    const supervisor = Number(readFileSync(join(h.home, "supervisor.pid"), "utf8"));
    kill(supervisor, "SIGKILL");
    kill(hubPid, "SIGKILL");
    await waitFor(() => !isAlive(supervisor) && !isAlive(hubPid), { message: "the hub and supervisor die" });
    expect(existsSync(join(h.home, "hub.json"))).toBe(true);
    const restarted = await h.cli(["start", "--port", "0"]);
    expect(restarted.code, restarted.stderr).toBe(0);
    expect(restarted.stdout).toContain("hub running at");
    const next = readHubJson(h.home).pid;
    expect(next).not.toBe(hubPid);
    expect((await h.cli(["status"])).stdout).toMatch(new RegExp(`^hub\\s+running\\s+pid ${next}\\s`, "m"));
  }, 120_000);

  it("starts at once run one hub, and each of them names it", async () => {
    const home = freshHome();
    const env = envOf(home);
    const results = await Promise.all([1, 2, 3].map(() => runCli(["start", "--port", "0"], env)));
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const { pid, port } = readHubJson(home);
    const url = `http://127.0.0.1:${port}`;
    expect(results.filter((r) => r.stdout.startsWith(`hub running at ${url} (pid ${pid})\n`))).toHaveLength(
      1,
    );
    expect(
      results.filter((r) => r.stdout === `the hub is already running at ${url} (pid ${pid})\n`),
    ).toHaveLength(2);
    expect((await runCli(["status"], env)).stdout).toMatch(
      new RegExp(`^hub\\s+running\\s+pid ${pid}\\s`, "m"),
    );
    // One hub, one supervisor, one host.
    expect(processesOf(home)).toHaveLength(3);
  }, 120_000);

  it("a hub on its way out leaves hub.json and hub.pid alone once they name another hub", async () => {
    const home = freshHome();
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
      env: envOf(home),
      cwd: REPO_ROOT,
      stdio: "ignore",
    });
    children.push(child);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    await waitFor(() => existsSync(join(home, "hub.json")) && readHubJson(home).pid === child.pid, {
      timeoutMs: 30_000,
      message: "the hub listens",
    });
    // Files a later hub wrote (a pid that no longer runs: no process is signalled by them).
    const other = spawnSync("true").pid;
    const otherInfo = JSON.stringify({ pid: other, port: 1, host: "127.0.0.1", url: "http://127.0.0.1:1" });
    writeFileSync(join(home, "hub.json"), otherInfo);
    writeFileSync(join(home, "hub.pid"), String(other));
    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(readFileSync(join(home, "hub.json"), "utf8")).toBe(otherInfo);
    expect(readFileSync(join(home, "hub.pid"), "utf8")).toBe(String(other));
  }, 60_000);
});

describe("a start whose port is not free", () => {
  it("refuses a port another data directory's hub listens on, and says how to pick another", async () => {
    const a = await startHub();
    const home = freshHome();
    const env = envOf(home);
    const result = await runCli(["start", "--port", String(a.port)], env);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe("");
    expect(result.stderr).toBe(
      `dispatch: port ${a.port} is in use by another hub (another data directory than ${home}); pick another port with --port N or DISPATCH_PORT (--port 0: any free one)\n`,
    );
    expect((await runCli(["status"], env)).stdout).toMatch(/^hub\s+stopped/m);
    expect((await a.api("/api/health")).ok).toBe(true);
  }, 60_000);

  it("leaves no hub, supervisor or host behind when another program holds the port", async () => {
    const port = await takenPort();
    const home = freshHome();
    const env = envOf(home);
    const result = await runCli(["start", "--port", String(port)], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
    const status = (await runCli(["status"], env)).stdout;
    expect(status).toMatch(/^hub\s+stopped/m);
    expect(status).toMatch(/^host\s+stopped/m);
    // The supervisor notices its hub's end within 50 ms and exits.
    await waitFor(() => processesOf(home).length === 0, { message: "nothing of this data directory runs" });
  }, 60_000);
});

describe("the local host, started beside the hub's own start-up", () => {
  /** The lines of a data directory's log file that carry `message`, parsed. */
  function logLines(home: string, file: string, message: string): Record<string, unknown>[] {
    const text = existsSync(join(home, file)) ? readFileSync(join(home, file), "utf8") : "";
    return text
      .split("\n")
      .filter((line) => line.includes(`"msg":"${message}`))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
  }

  it("is started before the hub's modules load, and the hub links to that one host", async () => {
    const home = freshHome();
    const env = envOf(home);
    const started = await runCli(["start", "--port", "0"], env);
    expect(started.code, started.stderr).toBe(0);
    const hostPid = Number(readFileSync(join(home, "host.pid"), "utf8"));
    // The hub's launcher found the host its entry started (whether it listened yet or not) and
    // started none of its own; one host ever listened here.
    const adopted = [
      ...logLines(home, "hub.log", "connected to the local host started early"),
      ...logLines(home, "hub.log", "waiting for the local host started early"),
    ];
    expect(adopted.map((line) => line.pid)).toEqual([hostPid]);
    expect(logLines(home, "hub.log", "started local host")).toEqual([]);
    expect(logLines(home, "host.log", "host listening").map((line) => line.pid)).toEqual([hostPid]);
    const status = (await runCli(["status"], env)).stdout;
    expect(status).toMatch(new RegExp(`^host\\s+running\\s+pid ${hostPid}\\b`, "m"));
    // One hub, one supervisor, one host.
    expect(processesOf(home)).toHaveLength(3);
  }, 60_000);

  it("stops by itself when the hub that started it fails before reaching it", async () => {
    const home = freshHome();
    // A setting the hub refuses once its store is open: after its entry started the host.
    const env = { ...envOf(home), DISPATCH_BACKUP_EVERY: "1s" };
    const started = await runCli(["start", "--port", "0"], env);
    expect(started.code).toBe(1);
    expect(started.stderr).toContain("DISPATCH_BACKUP_EVERY='1s'");
    // The host its entry started stopped by itself once the hub was gone.
    await waitFor(() => processesOf(home).length === 0, {
      timeoutMs: 30_000,
      message: "nothing of this data directory runs",
    });
    expect(logLines(home, "host.log", "the hub that started this host ended before connecting")).toHaveLength(
      1,
    );
    expect((await runCli(["status"], envOf(home))).stdout).toMatch(/^host\s+stopped/m);
  }, 60_000);

  it("a host stopped on purpose while its hub runs is replaced; `stop --all` leaves nothing", async () => {
    const h = await startHub();
    const first = h.pids().host as number;
    process.kill(first, "SIGTERM");
    // The hub waits a moment (it may be stopping too), then starts another.
    const second = await waitFor(
      () => {
        const pid = h.pids().host;
        return pid !== undefined && pid !== first && isAlive(pid) ? pid : undefined;
      },
      { timeoutMs: 30_000, message: "a new host" },
    );
    const created = await h.cli(["new", "--name", "after", "--", "sleep", "600"]);
    expect(created.code, created.stderr).toBe(0);

    const stopped = await h.cli(["stop", "--all"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    expect(stopped.stdout).toContain(`stopped the host (pid ${second}) and its sessions`);
    // Returned once all of them had ended: the hub started no host as the one it had stopped.
    expect(processesOf(h.home)).toEqual([]);
  }, 90_000);
});
