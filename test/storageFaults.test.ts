import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { isAlive } from "../src/platform/processAlive.js";
import { BIN, cleanEnv } from "./cliProcess.js";
import { api, checkCompleteLog, counter, storedEvents } from "./countedLog.js";
import { cleanupAll, type HubHandle, REPO_ROOT, startHub, storedOutput, waitFor } from "./harness.js";
import { fillDisk, removeSmallDisks, smallDisk } from "./smallDisk.js";
import { WireClient } from "./wire.js";

/** Tests that stop and start hubs more than once (each start is two Node boots). */
const RESTARTING_TEST_MS = 150_000;
/**
 * Rounds of requests a hub answers while another program holds the database's lock: each asks
 * for a write, so 40 of them take at least 200 s (more than `RESTARTING_TEST_MS`) if each
 * write waits out the usual 5 s busy timeout, and a few seconds when they fail at once.
 */
const LOCKED_ROUNDS = 40;

const hubs: HubHandle[] = [];
const dirs: string[] = [];
const clients: WireClient[] = [];

/**
 * The hub of the tests that need no home of their own: it watches for a fault file (absent,
 * it changes nothing), so the transient failure and the held lock share one start (two Node
 * boots and a host) instead of one each. Its trigger's directory, removed after the file.
 */
let faultHub: { hub: HubHandle; fault: string } | undefined;
const faultDir = mkdtempSync(join(tmpdir(), "dispatch-fault-"));

async function sharedHub(): Promise<{ hub: HubHandle; fault: string }> {
  faultHub ??= {
    hub: await startHub({ env: { DISPATCH_TEST_FAULT_FILE: join(faultDir, "fail-writes") } }),
    fault: join(faultDir, "fail-writes"),
  };
  return faultHub;
}

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const hub of hubs.splice(0)) await hub.stop();
  removeSmallDisks();
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});
afterAll(async () => {
  await cleanupAll();
  rmSync(faultDir, { recursive: true, force: true });
});

async function hub(options: { env?: Record<string, string>; home?: string } = {}): Promise<HubHandle> {
  const handle = await startHub(options);
  hubs.push(handle);
  return handle;
}

async function storage(h: HubHandle): Promise<{ ok: boolean; problem: string | null }> {
  return (await api<{ storage: { ok: boolean; problem: string | null } }>(h, "/api/status")).storage;
}

async function buffered(h: HubHandle, name: string): Promise<number> {
  const status = await api<{ sessions: { bytes?: { name: string; buffered: number }[] } }>(h, "/api/status");
  return status.sessions.bytes?.find((b) => b.name === name)?.buffered ?? 0;
}

/** The text of the last few output events stored for `name`. */
async function tail(h: HubHandle, name: string): Promise<string> {
  const { session } = await api<{ session: { lastSeq: number } }>(h, `/api/sessions/${name}`);
  const after = Math.max(0, session.lastSeq - 5);
  const page = await api<{ events: { type: string; data: unknown }[] }>(
    h,
    `/api/sessions/${name}/events?after=${after}&limit=5`,
  );
  return page.events
    .filter((e) => e.type === "output")
    .map((e) => Buffer.from(e.data as string, "base64").toString("utf8"))
    .join("");
}

async function client(h: HubHandle): Promise<WireClient> {
  const c = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

describe("storage faults", () => {
  it("a transient write failure during streaming records no gap: the host resends and the log is complete", async () => {
    const { hub: h, fault } = await sharedHub();
    const watcher = await client(h);
    await counter(h, "flow", { pause: "0.01" });
    await waitFor(async () => (await storedEvents(h, "flow")).length > 20, {
      message: "first output stored",
    });

    writeFileSync(fault, "");
    const notice = await watcher.waitFor((m) => m.type === "storage", 10_000);
    expect(notice).toMatchObject({ storage: { ok: false } });
    expect(String((notice.storage as { problem: string }).problem)).toContain("full");
    const failing = await storage(h);
    expect(failing.ok).toBe(false);
    // The hub keeps answering while it cannot write, and acknowledges nothing: the host holds it.
    expect((await h.cli(["ls"])).code).toBe(0);
    await waitFor(async () => (await buffered(h, "flow")) > 2_000, {
      message: "host buffers unacknowledged output",
    });

    rmSync(fault);
    await waitFor(async () => (await storage(h)).ok, { message: "storage recovers by itself" });
    await watcher.waitFor((m) => m.type === "storage" && (m.storage as { ok: boolean }).ok, 10_000);
    const before = (await storedEvents(h, "flow")).length;
    await waitFor(async () => (await storedEvents(h, "flow")).length > before + 5, {
      message: "streaming resumes",
    });
    expect((await h.cli(["kill", "flow"])).code).toBe(0);
    await checkCompleteLog(h, "flow");
    const log = readFileSync(join(h.home, "hub.log"), "utf8");
    expect(log).not.toContain("seq jump");
  });

  it(
    "a full disk (64 MB tmpfs) stops storing, keeps the hub alive, and resumes without loss when space returns",
    async () => {
      const dir = smallDisk("64m");
      const h = await hub({ home: dir });
      const pid = h.pids().hub as number;
      const watcher = await client(h);
      // About 8 MB, printed only once the disk is full (the trigger file lives off the tmpfs):
      // more than the WAL's slack, so writes fail, and small enough that what is freed
      // afterwards holds it all (an endless flood would refill it). Stored, it takes about
      // 21 MB (events, the search index's copy of the text, and the WAL), so the disk is 64 MB:
      // at 20 MB it filled again after the catch-up and the kill itself found the disk full.
      const trigger = join(mkdtempSync(join(tmpdir(), "dispatch-trigger-")), "go");
      dirs.push(dirname(trigger));
      const script = `echo ready; while [ ! -e ${trigger} ]; do sleep 0.05; done; i=0; while [ $i -lt 60000 ]; do i=$((i+1)); echo flood-$i ${"x".repeat(120)}; done; sleep 600`;
      await api(h, "/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "flood", cwd: tmpdir(), command: ["sh", "-c", script] }),
      });
      await waitFor(async () => (await storedEvents(h, "flood")).length > 0, {
        message: "first output stored",
      });

      const filler = fillDisk(dir);
      writeFileSync(trigger, "");
      const notice = await watcher.waitFor((m) => m.type === "storage", 30_000);
      expect(notice).toMatchObject({ storage: { ok: false } });
      const status = await h.cli(["status"]);
      expect(status.stdout).toMatch(/storage\s+FAILING/);
      expect(status.stdout).toMatch(/disk .* is full/);
      expect(isAlive(pid)).toBe(true);

      rmSync(filler);
      await waitFor(async () => (await storage(h)).ok, { timeoutMs: 20_000, message: "storage recovers" });
      // The last line stored: polled on the log's tail alone, since reading all of it back
      // (about 21 MB) at every poll took the CPU the hub needs to catch up.
      await waitFor(async () => (await tail(h, "flood")).includes("flood-60000 "), {
        timeoutMs: 120_000,
        intervalMs: 250,
        message: "the 60000th line stored",
      });
      // Every line, once, in order, with no gap (and again after the session is killed).
      expect(await checkCompleteLog(h, "flood")).toBe(60_000);
      const killed = await h.cli(["kill", "flood"]);
      expect({ code: killed.code, stderr: killed.stderr }).toEqual({ code: 0, stderr: "" });
      expect(await checkCompleteLog(h, "flood")).toBe(60_000);
      expect(h.pids().hub).toBe(pid);
    },
    // Filling, failing and catching up 60,000 lines on a busy machine: room beyond the waits.
    RESTARTING_TEST_MS + 120_000,
  );

  it(
    "another program holding the database's lock: the hub stays up, names the cause, and stores everything once it lets go",
    async () => {
      const h = (await sharedHub()).hub;
      const pid = h.pids().hub as number;
      const watcher = await client(h);
      // A hundred lines a second, five at a time: it prints through the whole test (the busy
      // timeout alone is 5 s), and a `sleep` after every line was ~600 forks and execs.
      await counter(h, "held", { pause: "0.05", every: 5 });
      await waitFor(async () => (await storedEvents(h, "held")).length > 5, { message: "output stored" });

      // A `sqlite3` shell left inside a write transaction: the hub's writes wait out its busy
      // timeout, then fail with SQLITE_BUSY, which used to be taken for a bug and crash the hub.
      const other = new Database(join(h.home, "dispatch.db"));
      try {
        other.exec("BEGIN IMMEDIATE");
        const notice = await watcher.waitFor((m) => m.type === "storage", 60_000);
        expect(notice).toMatchObject({ storage: { ok: false } });
        expect(String((notice.storage as { problem: string }).problem)).toContain(
          "another program holds the database's lock",
        );
        expect(isAlive(pid)).toBe(true);
        // The hub keeps serving while the lock is held. Each round asks for a write, which can
        // only fail, and reads. Were each write to wait out the 5 s busy timeout on the event
        // loop, these rounds would take over three minutes, past this test's own timeout; the
        // lock stays held throughout, so every answer here came while it was.
        for (let round = 0; round < LOCKED_ROUNDS; round++) {
          const refused = await h.api("/api/sessions", {
            method: "POST",
            body: JSON.stringify({ name: `refused-${round}`, cwd: tmpdir(), command: ["true"] }),
          });
          expect(refused.status).toBe(503);
          expect((await h.api("/api/health")).ok).toBe(true);
          // No refused session was kept (the hub may list the transient test's ended one too).
          const listed = await api<{ sessions: { name: string }[] }>(h, "/api/sessions");
          expect(listed.sessions.map((s) => s.name).filter((name) => name !== "flow")).toEqual(["held"]);
          if (round % 10 === 0) {
            const ls = await h.cli(["ls"]);
            expect(ls.code, ls.stderr).toBe(0);
            expect(ls.stdout).toContain("held");
          }
        }
        other.exec("ROLLBACK");
      } finally {
        other.close();
      }
      await waitFor(async () => (await storage(h)).ok, { timeoutMs: 30_000, message: "storage recovers" });
      const before = (await storedEvents(h, "held")).length;
      await waitFor(async () => (await storedEvents(h, "held")).length > before + 5, {
        message: "streaming resumes",
      });
      expect((await h.cli(["kill", "held"])).code).toBe(0);
      await checkCompleteLog(h, "held");
      expect(h.pids().hub).toBe(pid);
    },
    RESTARTING_TEST_MS,
  );

  it("a remote host started again without its session while writes fail is taken in; the orphaning is recorded once they work", async () => {
    const { hub: h, fault } = await sharedHub();
    const made = await h.api("/api/hosts/far/token", { method: "POST", body: "{}" });
    expect(made.status).toBe(201);
    const { token } = (await made.json()) as { token: string };
    const home = mkdtempSync(join(tmpdir(), "dispatch-fault-remote-"));
    dirs.push(home);
    const remote = (): ChildProcess =>
      spawn(process.execPath, [BIN, "host", "--hub", h.url, "--token", token, "--name", "far"], {
        env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
        cwd: REPO_ROOT,
        stdio: "ignore",
      });
    const farStatus = async () =>
      (await api<{ hosts: { name: string; status: string }[] }>(h, "/api/hosts")).hosts.find(
        (host) => host.name === "far",
      )?.status;
    const sessionStatus = async (name: string) =>
      (await api<{ session: { status: string } }>(h, `/api/sessions/${name}`)).session.status;
    let host = remote();
    try {
      await waitFor(async () => (await farStatus()) === "connected", {
        message: "the remote host connected",
      });
      await api(h, "/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name: "far-cat", host: "far", command: ["cat"] }),
      });
      await waitFor(async () => (await sessionStatus("far-cat")) === "running", { message: "far-cat runs" });

      writeFileSync(fault, "");
      // The host dies with its session and comes back without it while nothing can be written.
      host.kill("SIGKILL");
      await waitFor(async () => (await farStatus()) !== "connected", { message: "the host's link dropped" });
      host = remote();
      // Its hello records far-cat orphaned: a row the store refuses stopped the hello here.
      await waitFor(async () => (await farStatus()) === "connected", {
        message: "the host, started again while writes fail, connected",
      });
      expect(await sessionStatus("far-cat")).toBe("orphaned");

      rmSync(fault);
      await waitFor(async () => (await storage(h)).ok, { message: "storage recovers" });
      await waitFor(
        async () =>
          (
            await api<{ entries: { action: string; detail: { why?: string } }[] }>(h, "/api/audit?limit=100")
          ).entries.some((row) => row.action === "orphaned" && row.detail.why === "unknown to its host"),
        { message: "the orphaning recorded once the store takes rows" },
      );
      await api(h, "/api/sessions", {
        method: "POST",
        body: JSON.stringify({
          name: "far-echo",
          host: "far",
          command: ["sh", "-c", "echo far-$((6 * 7)); exec cat"],
        }),
      });
      await waitFor(async () => (await storedOutput(h, "far-echo")).includes("far-42"), {
        message: "a new session on the host runs and is stored",
      });
    } finally {
      rmSync(fault, { force: true });
      host.kill("SIGKILL");
    }
  });
});
