/**
 * Faults an operator meets, on real processes and a real file system, with the stored log
 * checked event by event afterwards: a crashed hub, a damaged database, backups and restore, a
 * frozen host, and the small ones. Storage faults (a full disk, failing writes, a held lock)
 * are in `storageFaults.test.ts`.
 */
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import {
  closeSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from "node:fs";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isAlive } from "../src/platform/processAlive.js";
import {
  api,
  checkCompleteLog,
  counter,
  finishedCounter,
  type StoredEvent,
  storedEvents,
} from "./countedLog.js";
import {
  BIN,
  cleanEnv,
  cleanupAll,
  type HubHandle,
  REPO_ROOT,
  runCli,
  startHub,
  waitFor,
} from "./harness.js";
import { WireClient } from "./wire.js";

/** Tests that stop and start hubs more than once (each start is two Node boots). */
const RESTARTING_TEST_MS = 150_000;

const hubs: HubHandle[] = [];
const dirs: string[] = [];
const children: ChildProcess[] = [];
const clients: WireClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const child of children.splice(0)) {
    if (child.pid !== undefined && child.exitCode === null && child.signalCode === null) {
      try {
        process.kill(child.pid, "SIGCONT");
        process.kill(child.pid, "SIGKILL");
      } catch {
        // Already gone.
      }
    }
  }
  for (const hub of hubs.splice(0)) await hub.stop();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(cleanupAll);

async function hub(options: { env?: Record<string, string>; home?: string } = {}): Promise<HubHandle> {
  const handle = await startHub(options);
  hubs.push(handle);
  return handle;
}

async function client(h: HubHandle): Promise<WireClient> {
  const c = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

describe("supervision", () => {
  it(
    "restarts a crashed hub; sessions keep running and nothing they printed is lost",
    async () => {
      const h = await hub();
      await counter(h, "steady", { pause: "0.02" });
      await waitFor(async () => (await storedEvents(h, "steady")).length > 5, { message: "output stored" });
      const first = h.pids().hub as number;
      process.kill(first, "SIGKILL");
      // Both typed right after the crash, side by side: a command waits for the supervisor's
      // restart, and works; `dispatch start` waits for it too (a second supervisor would race
      // it for the port and the database).
      const [listed, again] = await Promise.all([h.cli(["ls"]), h.cli(["start", "--port", String(h.port)])]);
      expect(listed.code, listed.stderr).toBe(0);
      expect(listed.stdout).toContain("steady");
      expect(again.code, again.stderr).toBe(0);
      expect(again.stdout).toContain("already running");
      const second = await waitFor(
        () => {
          const pid = h.pids().hub;
          return pid !== undefined && pid !== first && isAlive(pid) ? pid : undefined;
        },
        { timeoutMs: 15_000, message: "the supervisor restarts the hub" },
      );
      expect(second).not.toBe(first);
      await waitFor(async () => (await h.api("/api/health")).ok, { message: "restarted hub answers" });
      const before = (await storedEvents(h, "steady")).length;
      await waitFor(async () => (await storedEvents(h, "steady")).length > before + 5, {
        message: "output flows",
      });
      expect((await h.cli(["kill", "steady"])).code).toBe(0);
      await checkCompleteLog(h, "steady");
      // `dispatch stop` stops the hub for good: the supervisor does not bring it back.
      expect((await h.cli(["stop"])).code).toBe(0);
      expect(isAlive(second)).toBe(false);
      expect(existsSync(join(h.home, "supervisor.pid"))).toBe(false);
      expect((await h.cli(["status"])).stdout).toContain("hub       stopped");
    },
    RESTARTING_TEST_MS,
  );

  it("the hub `dispatch start` started beside its supervisor, stopped on purpose, stays stopped", async () => {
    const h = await hub();
    const first = h.pids().hub as number;
    const supervisorFile = join(h.home, "supervisor.pid");
    // `dispatch start` returns once the supervisor is up as well as the hub.
    const supervisor = Number(readFileSync(supervisorFile, "utf8"));
    expect(isAlive(supervisor)).toBe(true);
    // The first hub is not the supervisor's child: stopped by its own SIGTERM (not `dispatch
    // stop`, which stops the supervisor first), it is not taken for a crash.
    process.kill(first, "SIGTERM");
    await waitFor(() => !isAlive(supervisor), { message: "the supervisor exits with its hub" });
    expect(isAlive(first)).toBe(false);
    expect(existsSync(supervisorFile)).toBe(false);
    expect(existsSync(join(h.home, "hub.json"))).toBe(false);
    expect((await h.cli(["status"])).stdout).toContain("hub       stopped");
  });

  it("a taken port: `dispatch start` says so, and the supervisor does not retry it", async () => {
    const blocker = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as AddressInfo).port;
    const home = mkdtempSync(join(tmpdir(), "dispatch-taken-port-"));
    dirs.push(home);
    const env = cleanEnv({ DISPATCH_HOME: home, HOME: home });
    try {
      const started = await runCli(["start", "--port", String(port)], env);
      expect(started.code).not.toBe(0);
      expect(started.stderr).toContain(`port ${port} on 127.0.0.1 is already in use`);
      // The supervisor saw the adopted hub end before it ever listened, and gave up.
      await waitFor(() => readFileSync(join(home, "hub.out"), "utf8").includes("supervisor: hub (pid"), {
        message: "the supervisor notices",
      });
      await waitFor(() => !existsSync(join(home, "supervisor.pid")), { message: "the supervisor exits" });
      expect(readFileSync(join(home, "hub.out"), "utf8")).not.toContain("restarting the hub");
    } finally {
      blocker.close();
      // The hub started the local host before it tried to listen.
      await runCli(["stop", "--all"], env);
    }
  });
});

describe("integrity, backup and restore", () => {
  /**
   * The damaged-database test's hub serves the truncated-database one as well (a start is three
   * Node boots); kept past the first test's cleanup, stopped when both are done.
   */
  let repairedHub: HubHandle | undefined;
  afterAll(async () => {
    await repairedHub?.stop();
  });
  it(
    "backs up under load, and a destroyed database restored from it has every event up to the backup",
    async () => {
      const h = await hub();
      await counter(h, "busy", { pause: "0.002" });
      await waitFor(async () => (await storedEvents(h, "busy")).length > 30, { message: "output stored" });
      const beforeBackup = await storedEvents(h, "busy");
      const file = join(h.home, "..", `${h.home.split("/").pop()}-backup.db`);
      dirs.push(file);
      // Side by side (each is a Node boot): the backup, one to a missing directory, and a
      // restore the running hub refuses (it refuses before reading the file).
      const [made, nowhere, running] = await Promise.all([
        h.cli(["backup", file]),
        h.cli(["backup", join(h.home, "no-such-dir", "backup.db")]),
        h.cli(["restore", file]),
      ]);
      expect(made.code, made.stderr).toBe(0);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(nowhere.code).toBe(1);
      expect(nowhere.stderr).toContain("no-such-dir does not exist; create it first");
      expect(running.code).toBe(1);
      expect(running.stderr).toContain("stop it first");
      expect((await h.cli(["kill", "busy"])).code).toBe(0);
      const original = new Map((await storedEvents(h, "busy")).map((e) => [e.seq, e]));
      expect((await h.cli(["stop"])).code).toBe(0);
      writeFileSync(join(h.home, "dispatch.db"), "this is not a database");
      rmSync(join(h.home, "dispatch.db-wal"), { force: true });
      rmSync(join(h.home, "dispatch.db-shm"), { force: true });
      const restored = await h.cli(["restore", file]);
      expect(restored.code, restored.stderr).toBe(0);
      expect((await h.cli(["start", "--port", "0"])).code).toBe(0);
      const after = await storedEvents(h, "busy");
      // Everything stored before the backup began is there, event by event; so is whatever the
      // backup caught after that, up to where the restored log ends (the session was killed and
      // forgotten by its host since, so the hub closes it as lost after the backup's last seq).
      expect(after.slice(0, beforeBackup.length)).toEqual(beforeBackup);
      const last = after[after.length - 1] as StoredEvent;
      expect(last).toMatchObject({ type: "exit", data: { reason: "host lost" } });
      for (const event of after.slice(0, -1)) expect(event).toEqual(original.get(event.seq));
    },
    RESTARTING_TEST_MS,
  );

  it(
    "a damaged database is moved aside at start and recovered, keeping every readable event, with a report",
    async () => {
      const h = await startHub();
      repairedHub = h;
      const original = await finishedCounter(h, "kept", { lines: 3000, pad: 100 });
      expect((await h.cli(["stop", "--all"])).code).toBe(0);
      // Damage an interior page (not the header): overwrite the middle of the file.
      const db = join(h.home, "dispatch.db");
      const size = statSync(db).size;
      const fd = openSync(db, "r+");
      writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, Math.floor(size / 2 / 4096) * 4096);
      closeSync(fd);

      const doctor = await h.cli(["doctor"]);
      expect(doctor.code).toBe(1);
      expect(doctor.stdout).toContain("database damaged");
      expect(doctor.stdout).toContain("dispatch doctor --repair");

      const started = await h.cli(["start", "--port", "0"]);
      expect(started.code, started.stderr).toBe(0);
      const reports = readdirSync(h.home).filter((f) => f.endsWith(".report.txt"));
      expect(reports).toHaveLength(1);
      const report = readFileSync(join(h.home, reports[0] as string), "utf8");
      expect(report).toContain("damaged file kept as");
      expect(report).toContain("kept (");
      // Every event that is still there is exactly what was stored; nothing is invented.
      const recovered = await storedEvents(h, "kept");
      const bySeq = new Map(original.map((e) => [e.seq, e]));
      for (const event of recovered) expect(event).toEqual(bySeq.get(event.seq));
      expect(recovered.length).toBeGreaterThan(0);
      const check = await api<{ problems: string[] }>(h, "/api/storage/check", {
        method: "POST",
        body: JSON.stringify({ full: true }),
      });
      expect(check.problems).toEqual([]);
    },
    RESTARTING_TEST_MS,
  );

  it(
    "a truncated database gives a clear message and a way forward, not a stack trace",
    async () => {
      // The hub of the test before, running on the database it recovered (one of its own when
      // run alone).
      const h = repairedHub ?? (await hub());
      await counter(h, "short", { lines: 50 });
      await waitFor(async () => (await storedEvents(h, "short")).length > 0, { message: "stored" });
      expect((await h.cli(["stop", "--all"])).code).toBe(0);
      const db = join(h.home, "dispatch.db");
      rmSync(`${db}-wal`, { force: true });
      rmSync(`${db}-shm`, { force: true });
      const bytes = readFileSync(db);
      writeFileSync(db, bytes.subarray(0, 4096 + 100));
      const doctor = await h.cli(["doctor", "--repair"]);
      expect(doctor.stderr).not.toMatch(/\n\s+at /);
      expect(doctor.stdout).toContain("database recovered");
      const started = await h.cli(["start", "--port", "0"]);
      expect(started.code, started.stderr).toBe(0);
      const healthy = await h.cli(["doctor"]);
      expect(healthy.stdout).toContain("database integrity check passed");
    },
    RESTARTING_TEST_MS,
  );

  it(
    "an event whose last overflow page is overwritten is dropped at start and named; every other event is kept byte-exact",
    async () => {
      const h = await hub();
      // Lines of 3 KB: every output event spills onto overflow pages (past about 1 KB in the
      // events table's b-tree).
      const original = await finishedCounter(h, "big", { lines: 60, pad: 3000 });
      expect((await h.cli(["stop", "--all"])).code).toBe(0);
      // The last page of one event's overflow chain, found through SQLite's dbstat table: read
      // back as payload without an error, so only the checksum tells it from what was printed.
      const db = join(h.home, "dispatch.db");
      const file = new Database(db);
      file.pragma("wal_checkpoint(TRUNCATE)");
      const chains = new Map<string, number>();
      for (const page of file
        .prepare<[], { path: string; pageno: number }>(
          "SELECT path, pageno FROM dbstat WHERE name = 'events' AND pagetype = 'overflow' ORDER BY path",
        )
        .all()) {
        chains.set(page.path.split("+")[0] as string, page.pageno);
      }
      file.close();
      const lastPages = [...chains.values()];
      expect(lastPages.length).toBeGreaterThan(2);
      const fd = openSync(db, "r+");
      const victim = lastPages[Math.floor(lastPages.length / 2)] as number;
      writeSync(fd, Buffer.alloc(4096, 0xa5), 0, 4096, (victim - 1) * 4096);
      closeSync(fd);

      const started = await h.cli(["start", "--port", "0"]);
      expect(started.code, started.stderr).toBe(0);
      const reports = readdirSync(h.home).filter((f) => f.endsWith(".report.txt"));
      const report = readFileSync(join(h.home, reports[0] as string), "utf8");
      const recovered = await storedEvents(h, "big");
      const kept = new Set(recovered.map((e) => e.seq));
      const missing = original.filter((e) => !kept.has(e.seq)).map((e) => e.seq);
      expect(missing).toHaveLength(1);
      expect(report).toContain(
        `dropped 1 damaged event: seq ${missing[0]} (bytes that do not match its checksum)`,
      );
      const bySeq = new Map(original.map((e) => [e.seq, e]));
      for (const event of recovered) expect(event).toEqual(bySeq.get(event.seq));
      const check = await api<{ problems: string[] }>(h, "/api/storage/check", {
        method: "POST",
        body: JSON.stringify({ full: true }),
      });
      expect(check.problems).toEqual([]);
    },
    RESTARTING_TEST_MS,
  );
});

describe("a frozen host", () => {
  it("is failed within three heartbeats and its sessions are shown unreachable at once", async () => {
    const HEARTBEAT_MS = 300;
    const h = await hub({ env: { DISPATCH_HEARTBEAT_MS: String(HEARTBEAT_MS) } });
    // The token through the API, not `dispatch hosts token create` (a Node boot; hosts.test.ts
    // covers the command).
    const { token } = await api<{ token: string }>(h, "/api/hosts/icy/token", { method: "POST", body: "{}" });
    const home = mkdtempSync(join(tmpdir(), "dispatch-remote-icy-"));
    dirs.push(home);
    const child = spawn(process.execPath, [BIN, "host", "--hub", h.url, "--token", token, "--name", "icy"], {
      env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
      cwd: REPO_ROOT,
      stdio: "ignore",
    });
    children.push(child);
    await waitFor(
      async () =>
        (await api<{ hosts: { name: string; status: string }[] }>(h, "/api/hosts")).hosts.find(
          (x) => x.name === "icy",
        )?.status === "connected",
      { message: "icy connects" },
    );
    await api(h, "/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name: "cold", host: "icy", cwd: tmpdir(), command: ["sleep", "600"] }),
    });
    const watcher = await client(h);
    process.kill(child.pid as number, "SIGSTOP");
    // Failed by heartbeat (the link itself stays open: a frozen process closes nothing). The
    // budget, three intervals after the last answer, is proven with fake timers in
    // src/hub/Heartbeat.test.ts; here, that a real frozen host is caught and shown at once.
    const failed = await watcher.waitFor(
      (m) => m.type === "host" && (m.host as { name: string; status: string }).status === "failed",
      15_000,
    );
    expect(failed.host).toMatchObject({ name: "icy", status: "failed" });
    const pushed = await watcher.waitFor(
      (m) =>
        m.type === "session" &&
        (m.session as { name: string; reachable: boolean }).name === "cold" &&
        !(m.session as { reachable: boolean }).reachable,
      5_000,
    );
    expect(pushed).toBeDefined();
    const cold = (await api<{ session: { reachable: boolean } }>(h, "/api/sessions/cold")).session;
    expect(cold.reachable).toBe(false);
    // The hub writes its log asynchronously (pino, `sync: false`): the line may follow the push.
    await waitFor(
      () => readFileSync(join(h.home, "hub.log"), "utf8").includes("host stopped answering heartbeats"),
      {
        message: "the hub to log why it failed the host",
      },
    );
    process.kill(child.pid as number, "SIGCONT");
  });
});

describe("the small ones", () => {
  /**
   * The first test's hub, in a home of its own, serves the second as well (a start is three
   * Node boots); kept past the first test's cleanup, stopped when both are done.
   */
  let modes: { hub: HubHandle; home: string } | undefined;
  afterAll(async () => {
    await modes?.hub.stop();
    if (modes) rmSync(modes.home, { recursive: true, force: true });
  });

  it("tightens a pre-existing data directory to 0700 and its files to 0600", async () => {
    const home = mkdtempSync(join(tmpdir(), "dispatch-modes-"));
    execFileSync("chmod", ["0755", home]);
    writeFileSync(join(home, "hub.log"), "", { mode: 0o644 });
    writeFileSync(join(home, "host.log"), "", { mode: 0o644 });
    const h = await startHub({ home });
    modes = { hub: h, home };
    expect(statSync(home).mode & 0o777).toBe(0o700);
    for (const file of readdirSync(home)) {
      const mode = statSync(join(home, file)).mode;
      if (file.endsWith(".sock")) continue;
      expect(`${file} ${(mode & 0o777).toString(8)}`).toBe(`${file} 600`);
    }
    const doctor = await h.cli(["doctor"]);
    expect(doctor.stdout).toContain("data directory 0700, its files 0600");
    expect(doctor.stdout).toContain("access key present");
  });
  it("answers 400 for out-of-range durations and refuses a relative cwd; the CLI sends an absolute one", async () => {
    // The hub of the test before (one of its own when run alone).
    const h = modes?.hub ?? (await hub());
    const gc = await h.api("/api/gc", { method: "POST", body: JSON.stringify({ olderThan: "1e400ms" }) });
    expect(gc.status).toBe(400);
    expect(((await gc.json()) as { error: { message: string } }).error.message).toContain("invalid duration");
    const huge = await h.api("/api/gc", {
      method: "POST",
      body: JSON.stringify({ olderThan: "99999999999d" }),
    });
    expect(huge.status).toBe(400);
    const relative = await h.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ cwd: "../../..", command: ["true"] }),
    });
    expect(relative.status).toBe(400);
    expect(((await relative.json()) as { error: { message: string } }).error.message).toContain("relative");
    const work = mkdtempSync(join(tmpdir(), "dispatch-cwd-"));
    dirs.push(work);
    mkdirSync(join(work, "inner"));
    const made = await runCli(["new", "--name", "rel", "--cwd", "inner", "--", "true"], h.env, { cwd: work });
    expect(made.code, made.stderr).toBe(0);
    expect((await api<{ session: { cwd: string } }>(h, "/api/sessions/rel")).session.cwd).toBe(
      join(work, "inner"),
    );
  });
});
