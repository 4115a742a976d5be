/**
 * A cluster under load, in one run (`npm run bench -- --only cluster [--quick]`):
 *
 * 1. Three hub nodes on one PostgreSQL database, three remote hosts (one per node, each given
 *    every node's URL), sessions printing steadily on every host and 1,000 client WebSockets
 *    (250 with `--quick`; the CLI's own `ClientSocket`, so the real protocol) spread over the
 *    nodes, each attached
 *    to one session, mostly on another node than the session's host. Figures: events/s stored
 *    and events/s fanned out to the clients.
 * 2. Under that load, keystroke echo through a `cat` session whose host is on node 1, typed on
 *    node 1, seen by a client on node 1 (same node) and by clients on nodes 2 and 3 (cross
 *    node: the event reaches them through the database's notification and a store read).
 * 3. One node alone, SQLite against PostgreSQL (same server, default durability): events/s
 *    stored with sessions flooding, and idle keystroke echo latency.
 */
import pg from "pg";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import { type PostgresServer, startPostgres } from "../test/postgresServer.js";
import { startRig } from "./clusterRig.js";
import type { BenchContext } from "./context.js";
import { type BenchHub, startHub } from "./hub.js";
import { row } from "./report.js";
import { MiB, percentile, sleep, within } from "./stats.js";

const SUITE = "cluster";
const NODES = 3;
/** The roadmap's 1,000+ users; `--quick` spot-checks with a quarter (connecting is most of the time). */
const CLIENTS = 1000;
const QUICK_CLIENTS = 250;
const SESSIONS_PER_HOST = 6;
/** A numbered 60-byte line every 100 ms per session: a busy terminal a person watches. */
const STEADY = [
  "perl",
  "-e",
  '$|=1; my $i = 0; while (1) { printf "%08d %s\\n", $i++, "x" x 50; select(undef, undef, undef, 0.1) }',
];
/** As fast as the terminal takes it (numbered lines, so nothing is a repeat of the last). */
const FLOOD = ["perl", "-e", '$|=1; my $i = 0; while (1) { printf "%08d %s\\n", $i++, "y" x 50 }'];
const KEY_INTERVAL_MS = 50;
const KEY_TIMEOUT_MS = 30_000;
/** The echo runs stop early when keys are this slow in total, to keep the suite bounded. */
const ECHO_TIME_LIMIT_MS = 60_000;
const QUICK_ECHO_TIME_LIMIT_MS = 20_000;
const LETTERS = "abcdefghijklmnopqrstuvwxyz";
/** Clients connecting at once: enough to be quick, few enough not to look like a flood. */
const CONNECT_BATCH = 25;

export async function clusterSuite(ctx: BenchContext): Promise<void> {
  const server = await startPostgres({ durable: true });
  try {
    await clusterRows(ctx, server);
    await oneNodeRows(ctx, server);
  } finally {
    await server.stop();
  }
}

async function clusterRows(ctx: BenchContext, server: PostgresServer): Promise<void> {
  const windowMs = ctx.quick ? 8_000 : 30_000;
  const keys = ctx.quick ? 100 : 400;
  const clients = ctx.quick ? QUICK_CLIENTS : CLIENTS;
  const echoLimitMs = ctx.quick ? QUICK_ECHO_TIME_LIMIT_MS : ECHO_TIME_LIMIT_MS;
  ctx.log(`${SUITE}: PostgreSQL, ${NODES} nodes, ${NODES} hosts`);
  // Host hN starts on node N and is given every node, as in production.
  const rig = await startRig({
    nodes: NODES,
    hosts: { h1: [0, 1, 2], h2: [1, 2, 0], h3: [2, 0, 1] },
    env: ctx.hubEnv,
    server,
  });
  const sockets: ClientSocket[] = [];
  try {
    const control = await (rig.nodes[0] as BenchHub).socket();
    const sessions: string[] = [];
    for (const host of rig.hosts) {
      for (let i = 0; i < SESSIONS_PER_HOST; i++) {
        const info = await control.create({ host: host.name, command: ["timeout", "900", ...STEADY] });
        sessions.push(info.id);
      }
    }
    ctx.log(`${SUITE}: ${sessions.length} sessions printing; connecting ${clients} clients`);
    const framesByNode = Array.from({ length: NODES }, () => 0);
    const framesByClient = Array.from({ length: clients }, () => 0);
    const connectStarted = performance.now();
    for (let first = 0; first < clients; first += CONNECT_BATCH) {
      const batch = Array.from({ length: Math.min(CONNECT_BATCH, clients - first) }, (_, k) => first + k);
      // Each client starts near the live edge (events after the last seq listed now), as a
      // reconnecting client does, so attaching costs no snapshot and replays little.
      const lastSeq = new Map((await control.list()).map((s) => [s.id, s.lastSeq]));
      await Promise.all(
        batch.map(async (i) => {
          const node = i % NODES;
          const session = sessions[i % sessions.length] as string;
          const socket = await connectWithRetry(rig.nodes[node] as BenchHub);
          sockets.push(socket);
          socket.onOutput(() => {
            framesByNode[node] = (framesByNode[node] as number) + 1;
            framesByClient[i] = (framesByClient[i] as number) + 1;
          });
          // Session i mod n: client i is on node i mod 3, so most watch a host on another node.
          await socket.attach(session, { afterSeq: lastSeq.get(session) ?? 0, snapshot: false });
        }),
      );
      if ((first + CONNECT_BATCH) % 200 === 0) ctx.log(`${SUITE}: ${first + CONNECT_BATCH} clients attached`);
    }
    const connectS = (performance.now() - connectStarted) / 1000;
    await sleep(2_000);

    const stored = async () => storedEvents(rig.storeUrl);
    const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);
    const storedBefore = await stored();
    const framesBefore = [...framesByNode];
    const t0 = performance.now();
    ctx.log(`${SUITE}: measuring ${windowMs / 1000} s of steady output`);
    await sleep(windowMs);
    const seconds = (performance.now() - t0) / 1000;
    const storedRate = ((await stored()) - storedBefore) / seconds;
    const perNode = framesByNode.map((n, k) => (n - (framesBefore[k] as number)) / seconds);
    const outRate = sum(perNode);
    const expected = storedRate * (clients / sessions.length);
    ctx.add(
      row(
        SUITE,
        `events/s stored, ${NODES} nodes on one PostgreSQL, ${sessions.length} sessions, ${clients} clients attached`,
        storedRate,
        "events/s",
        undefined,
        `${clients} clients connected and attached in ${connectS.toFixed(1)} s`,
      ),
    );
    ctx.add(
      row(
        SUITE,
        `events/s fanned out to ${clients} clients over ${NODES} nodes`,
        outRate,
        "events/s",
        undefined,
        `per node ${perNode.map((r) => r.toFixed(0)).join(" / ")}; ${((100 * outRate) / expected).toFixed(0)}% of stored × clients per session`,
      ),
    );
    const silent = framesByClient.filter((n) => n === 0).length;
    if (silent > 0) ctx.note(`${SUITE}: ${silent} of ${clients} clients received no output at all`);

    ctx.log(`${SUITE}: echo under load, typed on node1, seen on node1/node2/node3`);
    const probes = [control, ...(await Promise.all([1, 2].map((k) => (rig.nodes[k] as BenchHub).socket())))];
    sockets.push(...probes.slice(1));
    const latency = await echoAcross(control, probes, "h1", keys, echoLimitMs, ctx.log);
    const same = latency[0] as number[];
    const cross = [...(latency[1] as number[]), ...(latency[2] as number[])];
    const p = (samples: number[], q: number) => percentile(samples, q);
    ctx.add(
      row(SUITE, `echo p50, same node (host, typist and client on node1), under load`, p(same, 50), "ms"),
    );
    ctx.add(
      row(SUITE, `echo p99, same node, under load`, p(same, 99), "ms", undefined, `${same.length} keys`),
    );
    ctx.add(
      row(SUITE, `echo p50, cross node (client on node2/node3), under load`, p(cross, 50), "ms", {
        text: "—",
        ratio: { value: p(cross, 50) / p(same, 50), of: "same node" },
      }),
    );
    ctx.add(
      row(
        SUITE,
        `echo p99, cross node, under load`,
        p(cross, 99),
        "ms",
        { text: "—", ratio: { value: p(cross, 99) / p(same, 99), of: "same node" } },
        `${cross.length} arrivals`,
      ),
    );
  } finally {
    await Promise.all(sockets.map((s) => s.close().catch(() => undefined)));
    await rig.stop();
  }
}

/** A client connection; a handshake that timed out on the loaded machine is tried again. */
async function connectWithRetry(node: BenchHub, attempts = 3): Promise<ClientSocket> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await node.socket();
    } catch (err) {
      if (attempt >= attempts) throw err;
      await sleep(500 * attempt);
    }
  }
}

/** Events in the database: the sum of every session's last seq (each event has one seq). */
async function storedEvents(storeUrl: string): Promise<number> {
  const client = new pg.Client({ connectionString: storeUrl });
  await client.connect();
  try {
    const { rows } = await client.query<{ n: string }>(
      "SELECT coalesce(sum(last_seq), 0) AS n FROM sessions",
    );
    return Number(rows[0]?.n ?? 0);
  } finally {
    await client.end();
  }
}

/**
 * `keys` keystrokes typed by `typist` into a raw `cat` on `host`; for each, how long until each
 * of `viewers` (attached) got the frame carrying its echo. Returns the samples per viewer.
 */
async function echoAcross(
  typist: ClientSocket,
  viewers: ClientSocket[],
  host: string,
  keys: number,
  timeLimitMs: number,
  log: (text: string) => void,
): Promise<number[][]> {
  const info = await typist.create({ host, command: ["sh", "-c", "stty raw -echo && exec cat"] });
  const samples = viewers.map(() => [] as number[]);
  let current: { code: number; sentAt: number; seen: boolean[]; done: () => void } | undefined;
  const offs = viewers.map((viewer, k) =>
    viewer.onOutput((frame) => {
      if (frame.session !== info.id || !current || current.seen[k]) return;
      if (!frame.data.includes(current.code)) return;
      current.seen[k] = true;
      (samples[k] as number[]).push(performance.now() - current.sentAt);
      if (current.seen.every(Boolean)) current.done();
    }),
  );
  const key = (char: string, record: boolean) =>
    within(
      new Promise<void>((resolve) => {
        current = {
          code: char.charCodeAt(0),
          sentAt: performance.now(),
          seen: viewers.map(() => false),
          done: resolve,
        };
        typist.input(info.id, char);
      }),
      KEY_TIMEOUT_MS,
      `echo of '${char}' on every node`,
    ).then(() => {
      if (!record) for (const list of samples) list.pop();
    });
  try {
    await Promise.all(viewers.map((viewer) => viewer.attach(info.id, { snapshot: true })));
    // Until `stty raw -echo` has run the terminal echoes too: warm up first, unrecorded.
    await sleep(500);
    for (let i = 0; i < 10; i++) await key(LETTERS[i % 26] as string, false);
    const deadline = performance.now() + timeLimitMs;
    for (let i = 0; i < keys && performance.now() < deadline; i++) {
      const started = performance.now();
      await key(LETTERS[i % 26] as string, true);
      if ((i + 1) % 25 === 0) log(`${i + 1} keys, last ${(performance.now() - started).toFixed(0)} ms`);
      const ms = performance.now() - started;
      if (ms < KEY_INTERVAL_MS) await sleep(KEY_INTERVAL_MS - ms);
    }
    return samples;
  } finally {
    for (const off of offs) off();
    await typist.kill(info.id, "SIGKILL").catch(() => undefined);
  }
}

/** One node, each engine: flood intake and idle echo, with the same sessions and keys. */
async function oneNodeRows(ctx: BenchContext, server: PostgresServer): Promise<void> {
  const floodMs = ctx.quick ? 5_000 : 15_000;
  const keys = ctx.quick ? 100 : 400;
  const flooders = 8;
  const figures: Record<string, { rate: number; mibs: number; p50: number; p99: number }> = {};
  for (const engine of ["SQLite", "PostgreSQL"] as const) {
    ctx.log(`${SUITE}: one node on ${engine}`);
    const env =
      engine === "PostgreSQL" ? { ...ctx.hubEnv, DISPATCH_STORE: await server.database() } : ctx.hubEnv;
    const hub = await startHub({ env });
    try {
      const socket = await hub.socket();
      const ids: string[] = [];
      for (let i = 0; i < flooders; i++) {
        ids.push((await socket.create({ command: ["timeout", "600", ...FLOOD] })).id);
      }
      const totals = async () => {
        const listed = (await socket.list()).filter((s) => ids.includes(s.id));
        return {
          events: listed.reduce((sum, s) => sum + s.lastSeq, 0),
          bytes: listed.reduce((sum, s) => sum + s.bytes, 0),
        };
      };
      await sleep(1_000);
      const before = await totals();
      const t0 = performance.now();
      await sleep(floodMs);
      const after = await totals();
      const seconds = (performance.now() - t0) / 1000;
      const rate = (after.events - before.events) / seconds;
      const mibs = (after.bytes - before.bytes) / MiB / seconds;
      await Promise.all(ids.map((id) => socket.kill(id, "SIGKILL").catch(() => undefined)));
      await sleep(500);
      const [echo] = await echoAcross(
        socket,
        [socket],
        "local",
        keys,
        ctx.quick ? QUICK_ECHO_TIME_LIMIT_MS : ECHO_TIME_LIMIT_MS,
        ctx.log,
      );
      const samples = echo as number[];
      figures[engine] = { rate, mibs, p50: percentile(samples, 50), p99: percentile(samples, 99) };
    } finally {
      await hub.stop();
    }
  }
  const sqlite = figures.SQLite as { rate: number; mibs: number; p50: number; p99: number };
  const postgres = figures.PostgreSQL as { rate: number; mibs: number; p50: number; p99: number };
  const label = `${flooders} sessions flooding`;
  ctx.add(
    row(
      SUITE,
      `one node, SQLite: events/s stored, ${label}`,
      sqlite.rate,
      "events/s",
      undefined,
      `${sqlite.mibs.toFixed(1)} MiB/s (flood output is coalesced into events of up to 16 KiB)`,
    ),
  );
  ctx.add(
    row(
      SUITE,
      `one node, PostgreSQL: events/s stored, ${label}`,
      postgres.rate,
      "events/s",
      { text: "—", ratio: { value: postgres.rate / sqlite.rate, of: "SQLite" } },
      `${postgres.mibs.toFixed(1)} MiB/s`,
    ),
  );
  ctx.add(
    row(
      SUITE,
      `one node, SQLite: echo p50 / p99, idle`,
      sqlite.p50,
      "ms",
      undefined,
      `p99 ${sqlite.p99.toFixed(1)} ms`,
    ),
  );
  ctx.add(
    row(
      SUITE,
      `one node, PostgreSQL: echo p50 / p99, idle`,
      postgres.p50,
      "ms",
      { text: "—", ratio: { value: postgres.p50 / sqlite.p50, of: "SQLite" } },
      `p99 ${postgres.p99.toFixed(1)} ms (SQLite ${sqlite.p99.toFixed(1)} ms)`,
    ),
  );
}
