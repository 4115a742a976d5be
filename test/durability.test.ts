/**
 * Sessions outlive hub crashes, host loss, slow clients and long histories. Real processes:
 * hubs are killed with SIGKILL, hosts too.
 */
import { join } from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanupAll, countedLines, type HubHandle, startHub, waitFor } from "./harness.js";
import { renderScreen } from "./screen.js";
import { sleep, WireClient } from "./wire.js";

const clients: WireClient[] = [];
let hubs: HubHandle[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
  for (const hub of hubs) await hub.stop();
  hubs = [];
});
afterAll(cleanupAll);

async function hub(env: Record<string, string> = {}): Promise<HubHandle> {
  const handle = await startHub({ env });
  hubs.push(handle);
  return handle;
}

/**
 * Hubs that tests in turn share, by their settings, where a test neither restarts its hub nor
 * leaves it other than it needs it (a hub start is three Node boots). Stopped by `stopShared`
 * once their tests are done, else by `cleanupAll`.
 */
const shared = new Map<string, Promise<HubHandle>>();
function sharedHub(env: Record<string, string>): Promise<HubHandle> {
  const key = JSON.stringify(env);
  let started = shared.get(key);
  if (!started) {
    started = startHub({ env });
    shared.set(key, started);
  }
  return started;
}

/** Stops a shared hub once its tests are done (an idle hub still costs the next ones CPU). */
async function stopShared(env: Record<string, string>): Promise<void> {
  const started = shared.get(JSON.stringify(env));
  shared.delete(JSON.stringify(env));
  await (await started?.catch(() => undefined))?.stop();
}

/**
 * Snapshots every 64 KiB and 512 KiB kept per session: the retention test's bound, far above
 * what the snapshot test prints.
 */
const SNAPSHOT_HUB = {
  DISPATCH_RETENTION_BYTES: String(512 * 1024),
  DISPATCH_SNAPSHOT_EVERY_BYTES: String(64 * 1024),
};
/**
 * At most two running sessions (the limits test's), which the flood and the host-loss tests
 * before it stay within and end before they finish.
 */
const TWO_SESSION_HUB = { DISPATCH_MAX_SESSIONS: "2" };

/** Ends the sessions a test on a shared hub started, so the next one starts from none running. */
async function endAll(h: HubHandle, names: string[]): Promise<void> {
  for (const name of names) await h.api(`/api/sessions/${name}?signal=SIGKILL`, { method: "DELETE" });
  await waitFor(
    async () => {
      for (const name of names) if ((await session(h, name)).status !== "exited") return false;
      return true;
    },
    { message: `${names.join(", ")} ended` },
  );
}

async function client(h: HubHandle): Promise<WireClient> {
  const c = await WireClient.open(h.url, { authorization: `Bearer ${h.key}` });
  clients.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

async function create(h: HubHandle, body: Record<string, unknown>): Promise<{ id: string; name: string }> {
  const res = await h.api("/api/sessions", {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  const json = await res.json();
  expect(res.status, JSON.stringify(json)).toBe(201);
  return json.session;
}

async function input(h: HubHandle, name: string, data: string): Promise<void> {
  const res = await h.api(`/api/sessions/${name}/input`, { method: "POST", body: JSON.stringify({ data }) });
  expect(res.status, await res.text()).toBe(200);
}

async function session(h: HubHandle, name: string) {
  return (await h.api(`/api/sessions/${name}`).then((r) => r.json())).session;
}

/** Every stored event of a session (paged). */
async function storedEvents(h: HubHandle, name: string) {
  const all: { seq: number; type: string; data: unknown }[] = [];
  let after = 0;
  for (;;) {
    const page = await h.api(`/api/sessions/${name}/events?after=${after}&limit=10000`).then((r) => r.json());
    all.push(...page.events);
    if (page.events.length === 0) return all;
    after = page.events[page.events.length - 1].seq;
  }
}

async function storedText(h: HubHandle, name: string): Promise<string> {
  const events = await storedEvents(h, name);
  return events
    .filter((e) => e.type === "output")
    .map((e) => Buffer.from(e.data as string, "base64").toString("utf8"))
    .join("");
}

function killHub(h: HubHandle): void {
  const pid = h.pids().hub;
  expect(pid).toBeGreaterThan(0);
  process.kill(pid as number, "SIGKILL");
}

async function restart(h: HubHandle): Promise<void> {
  const started = await h.cli(["start", "--port", String(h.port)]);
  expect(started.code, started.stderr).toBe(0);
}

/**
 * `lines` numbered lines, ten at a time with a pause of 0.1 s between (four seconds for 400):
 * a `sleep` after every line was a fork and an exec each, 2,000 in the crash test, about 2.5 s
 * of CPU. Still printing through the kills, and stored as they come.
 */
const counter = (lines: number) =>
  `i=0; while [ $i -lt ${lines} ]; do i=$((i+1)); echo line-$i; [ $((i % 10)) -ne 0 ] || sleep 0.1; done; sleep 120`;

describe("hub crashes", () => {
  it("keeps every line of 5 busy sessions exactly once through 3 SIGKILLs of the hub", async () => {
    const h = await hub();
    const lines = 400;
    const names: string[] = [];
    for (let i = 0; i < 5; i++) names.push((await create(h, { command: ["sh", "-c", counter(lines)] })).name);
    /** Events stored of all five, and whether every one has printed its last line. */
    const progress = async () => {
      let stored = 0;
      let finished = true;
      for (const name of names) {
        const info = await session(h, name);
        stored += info.lastSeq;
        finished &&= info.preview === `line-${lines}`;
      }
      return { stored, finished };
    };
    for (let round = 0; round < 3; round++) {
      // Killed while it stores: once the hub (from the second round on, the restarted one) has
      // stored more of their output, polled rather than waited for a fixed time.
      const before = (await progress()).stored;
      await waitFor(
        async () => {
          const now = await progress();
          return now.stored >= before + 10 || now.finished;
        },
        { message: "the hub storing output again" },
      );
      killHub(h);
      await sleep(200);
      await restart(h);
    }
    for (const name of names) {
      await waitFor(async () => (await storedText(h, name)).includes(`line-${lines}\r\n`), {
        timeoutMs: 60_000,
        message: `${name} to finish`,
      });
      const text = await storedText(h, name);
      const numbers = [...text.matchAll(/line-(\d+)\r\n/g)].map((m) => Number(m[1]));
      expect(numbers).toEqual(Array.from({ length: lines }, (_, i) => i + 1));
      const seqs = (await storedEvents(h, name)).map((e) => e.seq);
      expect(seqs).toEqual(seqs.map((_, i) => i + 1));
      expect((await session(h, name)).status).toBe("running");
    }
  });

  it("never loses what a client was told is stored when the hub dies during heavy writes", async () => {
    const h = await hub();
    const names: string[] = [];
    for (let i = 0; i < 2; i++) {
      names.push(
        (
          await create(h, {
            command: ["sh", "-c", "while :; do echo 0123456789abcdefghijklmnopqrstuvwxyz; done"],
          })
        ).id,
      );
    }
    const seen = new Map<string, number>();
    for (let round = 0; round < 3; round++) {
      const c = await client(h);
      for (const id of names) await c.request({ type: "attach", session: id, afterSeq: 0, snapshot: false });
      // Killed once this hub has told the client of output past all it was told before (of
      // both), rather than after a fixed wait: the writers never stop, so neither does storing.
      // The replay of everything before comes first: tens of MB, slow on a busy machine.
      await waitFor(() => names.every((id) => (c.seqs(id).at(-1) ?? 0) > (seen.get(id) ?? 0)), {
        timeoutMs: 60_000,
        message: "the client told of new output of both writers",
      });
      for (const id of names) {
        const seqs = c.seqs(id);
        seen.set(id, Math.max(seen.get(id) ?? 0, seqs[seqs.length - 1] ?? 0));
      }
      killHub(h);
      await c.close();
      await restart(h);
      for (const id of names) {
        const events = await h.api(`/api/sessions/${id}/events?after=0&limit=1`).then((r) => r.json());
        expect(events.lastSeq).toBeGreaterThanOrEqual(seen.get(id) as number);
      }
    }
    for (const id of names) await h.api(`/api/sessions/${id}`, { method: "DELETE" });
    await h.cli(["stop"]);
    const db = new Database(join(h.home, "dispatch.db"), { readonly: true });
    try {
      expect(db.pragma("integrity_check", { simple: true })).toBe("ok");
      for (const id of names) {
        // Only a gap's data is read: what is checked is which seqs are there, and a gap's data
        // says which it covers (the writers' output, tens of MB, would only be copied).
        const rows = db
          .prepare(
            "SELECT seq, type, CASE WHEN type = 'gap' THEN data END AS data FROM events WHERE session_id = ? ORDER BY seq",
          )
          .all(id) as {
          seq: number;
          type: string;
          data: Buffer;
        }[];
        // Contiguous: each seq follows the last, except that a gap event (output the host had to
        // drop while the hub was down) accounts explicitly for the seqs it covers.
        let expected = 1;
        for (const row of rows) {
          if (row.type === "gap") {
            const { d } = JSON.parse(row.data.toString()) as { d: { fromSeq: number } };
            expect(d.fromSeq).toBe(expected);
          } else {
            expect(row.seq).toBe(expected);
          }
          expected = row.seq + 1;
        }
        expect(expected - 1).toBeGreaterThanOrEqual(seen.get(id) as number);
      }
    } finally {
      db.close();
    }
    // Three hub restarts behind heavy writers: each boot takes seconds on a loaded machine.
  }, 150_000);
});

describe("snapshots and retention", () => {
  afterAll(() => stopShared(SNAPSHOT_HUB));

  it("attaches a fresh client from the latest snapshot and ends at the same screen as a full replay", async () => {
    const h = await sharedHub(SNAPSHOT_HUB);
    const s = await create(h, {
      command: [
        "sh",
        "-c",
        "i=0; while [ $i -lt 3000 ]; do i=$((i+1)); echo row-$i; done; printf 'the end'; sleep 120",
      ],
      cols: 80,
      rows: 24,
    });
    await waitFor(async () => (await storedText(h, s.name)).includes("the end"), { timeoutMs: 30_000 });
    // The idle snapshot follows once output stops.
    await waitFor(async () => (await session(h, s.name)).lastSeq > 0 && hasSnapshot(h, s.id), {
      timeoutMs: 10_000,
    });
    const fresh = await client(h);
    await fresh.request({ type: "attach", session: s.id, afterSeq: 0 });
    await waitFor(() => fresh.stream(s.id).length > 0 && fresh.stream(s.id)[0]?.kind === "snapshot", {
      message: "a snapshot first",
    });
    const full = await client(h);
    await full.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    await full.waitForOutput(s.id, "the end", 20_000);
    await sleep(200);
    expect(fresh.stream(s.id).filter((i) => i.kind === "output").length).toBeLessThan(
      full.stream(s.id).filter((i) => i.kind === "output").length,
    );
    const a = await renderScreen(fresh, s.id, 80, 24);
    const b = await renderScreen(full, s.id, 80, 24);
    expect(a).toContain("row-3000");
    expect(a).toBe(b);
  });

  it("bounds stored output per session, compacting behind a snapshot, and logs --all says where", async () => {
    const h = await sharedHub(SNAPSHOT_HUB);
    const s = await create(h, {
      command: [
        "sh",
        "-c",
        "i=0; while [ $i -lt 60000 ]; do i=$((i+1)); echo retained-line-$i; done; sleep 120",
      ],
    });
    await waitFor(
      async () =>
        (await h.api(`/api/sessions/${s.name}/events?after=0&limit=1`).then((r) => r.json())).firstSeq > 1,
      {
        timeoutMs: 30_000,
        message: "compaction",
      },
    );
    await waitFor(async () => (await session(h, s.name)).preview === "retained-line-60000", {
      timeoutMs: 30_000,
    });
    // Compaction follows the writes: within the bound once it has caught up (waited for, not
    // slept on; a store that never compacts stays above it and the wait fails).
    const stored = await waitFor(
      async () => {
        const status = await h.api("/api/status").then((r) => r.json());
        const bytes = status.sessions.bytes.find((b: { name: string }) => b.name === s.name).stored;
        return bytes <= 512 * 1024 + 128 * 1024 ? (bytes as number) : undefined;
      },
      { message: "stored output within the retention bound" },
    );
    // Compacted behind a snapshot, not emptied: recent history is still there to read.
    expect(stored).toBeGreaterThanOrEqual(128 * 1024);
    expect((await session(h, s.name)).bytes).toBeGreaterThan(900_000);
    const text = await storedText(h, s.name);
    expect(text).toContain("retained-line-60000");
    expect(text).not.toContain("retained-line-1\r\n");
    const logs = await h.cli(["logs", s.name, "--all"]);
    expect(logs.code).toBe(0);
    expect(logs.stderr).toMatch(/history through seq \d+ was compacted/);
    expect(logs.stdout).toContain("retained-line-60000");
    const fresh = await client(h);
    await fresh.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    await waitFor(() => fresh.stream(s.id)[0], { message: "replay" });
    expect(fresh.stream(s.id)[0]?.kind).toBe("snapshot");
  });
});

describe("slow clients", () => {
  it("never slows a fast client: it sees every byte, the slow one ends at the same screen", async () => {
    const h = await hub({ DISPATCH_CLIENT_LAG_BYTES: String(1024 * 1024) });
    // About 10 MB: far more than the kernel's socket buffers can hide from the hub.
    const lines = 600_000;
    const s = await create(h, {
      command: ["sh", "-c", `seq -f 'busy-line-%g' 1 ${lines}; printf 'finished'; sleep 120`],
      cols: 80,
      rows: 24,
    });
    const fast = await client(h);
    const slow = await client(h);
    await fast.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false });
    // The slow client stops reading its socket before any output reaches it: the kernel buffers
    // fill and the hub's queue grows. Pausing only after the attach reply (as this test once
    // did) let a busy test process read megabytes first, and Linux's receive-buffer autotuning
    // (tcp_rmem max 32 MiB here) then grew the window so far that the kernel hid nearly all of
    // the 10 MB: the hub never saw the client lag, so it never skipped it to a snapshot. Paused
    // at once, the kernel holds at most the hub's send buffer (4 MiB) and the initial window.
    const raw = (slow.socket as unknown as { _socket: { pause(): void; resume(): void } })._socket;
    const attached = slow.request({ type: "attach", session: s.id, afterSeq: 0, snapshot: false }, 120_000);
    raw.pause();
    await fast.waitForOutput(s.id, "finished", 60_000);
    const numbers = [...fast.output(s.id).matchAll(/busy-line-(\d+)\r\n/g)].map((m) => Number(m[1]));
    expect(numbers.length).toBe(lines);
    expect(numbers.every((n, i) => n === i + 1)).toBe(true);
    raw.resume();
    await attached;
    await waitFor(async () => (await renderScreen(slow, s.id, 80, 24)).includes("finished"), {
      timeoutMs: 30_000,
      message: "slow client to catch up",
    });
    expect(slow.stream(s.id).some((i) => i.kind === "snapshot")).toBe(true);
    expect(await renderScreen(slow, s.id, 80, 24)).toBe(await renderScreen(fast, s.id, 80, 24));
  });
});

describe("a flood while someone types", () => {
  it("is slowed down, never lost: every line is stored and each key is echoed", async () => {
    const h = await sharedHub(TWO_SESSION_HUB);
    // About 2 MB: a second of output at the bulk rate while keys arrive, hundreds of times
    // what the PTY holds, so the flood waits on its PTY throughout (twice that proved no more).
    const lines = 150_000;
    // Starts on its own input, so the typing below is in another session from the first key.
    const flood = await create(h, {
      name: "flood",
      command: ["sh", "-c", `read go; seq -f 'flood-%g' 1 ${lines}; printf finished; sleep 120`],
    });
    const typer = await create(h, { command: ["sh", "-c", "stty raw -echo && echo ready && exec cat"] });
    const c = await client(h);
    await c.request({ type: "attach", session: typer.id, afterSeq: 0, snapshot: false });
    await c.request({ type: "attach", session: flood.id, afterSeq: 0, snapshot: false });
    await c.waitForOutput(typer.id, "ready");
    await c.request({ type: "input", session: flood.id, data: "go\r" });
    const floodDone = () => {
      const tail = c.received.events.filter((e) => e.session === flood.id && e.type === "output").slice(-2);
      return Buffer.concat(tail.map((e) => Buffer.from(e.data as Uint8Array))).includes("finished");
    };
    // Type until the flood is done.
    let typed = "";
    for (let i = 0; !floodDone(); i++) {
      const key = String.fromCharCode(97 + (i % 26));
      typed += key;
      await c.request({ type: "input", session: typer.id, data: key });
      await c.waitForOutput(typer.id, typed, 30_000);
    }
    expect(typed.length).toBeGreaterThan(0);
    expect(await countedLines(h, "flood")).toBe(lines);
    await endAll(h, [flood.name, typer.name]);
  }, 120_000);
});

describe("host loss", () => {
  it("marks sessions of a SIGKILLed host as exited (host lost) and revives one with its old screen", async () => {
    const h = await sharedHub(TWO_SESSION_HUB);
    const s = await create(h, { command: ["bash", "--norc", "--noprofile"], cols: 100, rows: 30 });
    // Typed through the API, not `dispatch send` (a Node boot each; cli.test.ts covers it).
    await input(h, s.name, "echo before-the-crash\r");
    await waitFor(async () => (await storedText(h, s.name)).includes("before-the-crash\r\n"));
    const hostPid = h.pids().host as number;
    process.kill(hostPid, "SIGKILL");
    const lost = await waitFor(
      async () => {
        const info = await session(h, s.name);
        return info.status === "exited" ? info : undefined;
      },
      { timeoutMs: 20_000, message: "host lost" },
    );
    expect(lost.reason).toBe("host lost");
    expect(h.pids().host).not.toBe(hostPid);

    const revived = await h.cli(["revive", s.name]);
    expect(revived.code, revived.stderr).toBe(0);
    const info = await session(h, s.name);
    expect(info.status).toBe("running");
    expect(info.cols).toBe(100);
    await input(h, s.name, "echo after-the-revive\r");
    await waitFor(async () => (await storedText(h, s.name)).includes("after-the-revive\r\n"));
    const text = await storedText(h, s.name);
    expect(text.indexOf("before-the-crash")).toBeLessThan(text.indexOf("history restored"));
    expect(text.indexOf("history restored")).toBeLessThan(text.lastIndexOf("after-the-revive"));
    const seqs = (await storedEvents(h, s.name)).map((e) => e.seq);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    await endAll(h, [s.name]);
  });
});

describe("limits and housekeeping", () => {
  it("refuses sessions past the limit, reports memory and bytes, and gc removes ended sessions", async () => {
    const h = await sharedHub(TWO_SESSION_HUB);
    await create(h, { command: ["sleep", "120"] });
    const ended = await create(h, { command: ["sh", "-c", "echo done"] });
    await waitFor(async () => (await session(h, ended.name)).status === "exited");
    await create(h, { command: ["sleep", "120"] });
    const refused = await h.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ command: ["sleep", "120"] }),
    });
    expect(refused.status).toBe(429);
    expect((await refused.json()).error).toMatchObject({ code: "limit_reached" });

    // Side by side (each is a Node boot): gc with a bound that keeps the ended session, and
    // the status that still counts its bytes.
    const [statusOut, kept] = await Promise.all([
      h.cli(["status", "--json"]),
      h.cli(["gc", "--older-than", "1h"]),
    ]);
    const status = JSON.parse(statusOut.stdout);
    expect(status.hub.rss).toBeGreaterThan(0);
    expect(status.host.rss).toBeGreaterThan(0);
    expect(status.sessions.bytes.find((b: { name: string }) => b.name === ended.name).stored).toBeGreaterThan(
      0,
    );

    expect(kept.stdout).toContain("nothing to remove");
    const gc = await h.cli(["gc"]);
    expect(gc.code).toBe(0);
    expect(gc.stdout).toContain(ended.name);
    expect((await h.api(`/api/sessions/${ended.name}`)).status).toBe(404);
    const list = (await h.api("/api/sessions").then((r) => r.json())).sessions;
    expect(list.map((x: { status: string }) => x.status)).toEqual(["running", "running"]);
  });
});

function hasSnapshot(h: HubHandle, id: string): boolean {
  const db = new Database(join(h.home, "dispatch.db"), { readonly: true, fileMustExist: true });
  try {
    return db.prepare("SELECT 1 FROM snapshots WHERE session_id = ?").get(id) !== undefined;
  } finally {
    db.close();
  }
}
