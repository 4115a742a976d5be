/**
 * Memory: resident set of the hub and the local host (VmRSS from /proc for the pids in
 * hub.pid and host.pid) with 0, 10 and 100 idle sessions. Sessions run `sleep 3600`, so no
 * shell is counted; the host's RSS never includes its children anyway. Beside the budget row,
 * each process's VmRSS split into anonymous memory (RssAnon: heaps, stacks, what the process
 * allocated) and file pages (RssFile: mostly the node binary's code, shared by every Node
 * process on the machine but counted in each one's VmRSS; a bare `node` has about 34 MB).
 * Also each one's PSS (proportional set size): shared pages count as a share, so the sum counts
 * the node binary about once; it is what the pair really costs, while the budget is on VmRSS.
 * PSS reads lower while other Node processes run on the machine (they take shares too).
 *
 * Read twice with 10 sessions: 2 s after creating them, and settled, 45 s later. In between,
 * V8 collects what start-up and the creations left (its memory reducer runs once allocation
 * has been quiet for a while) and gives the pages back: the hub's anonymous memory falls by
 * 10-25 MB (docs/BENCHMARKS.md, "Memory: idle hub and host"). Idle sessions are the settled
 * state, so the budget applies to it; the early reading shows what a burst leaves behind.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import { type BinaryPages, binaryPages } from "./binaryPages.js";
import { describe, withBareNode } from "./binaryPagesCli.js";
import type { BenchContext } from "./context.js";
import { type BenchHub, LOG_DIR, pssOf, rssOf, startHub } from "./hub.js";
import { row } from "./report.js";
import { median, sleep, waitUntil } from "./stats.js";

const SUITE = "memory";
/** Time for start-up garbage and lazy work to settle before reading RSS. */
const SETTLE_MS = 2000;
/** Until V8's memory reducer has run after the last allocation burst (observed: 15-40 s). */
const SETTLED_MS = 45_000;

export async function memorySuite(ctx: BenchContext): Promise<void> {
  const hub = await startHub({ env: { ...ctx.hubEnv, DISPATCH_MAX_SESSIONS: "500" } });
  try {
    const socket = await hub.socket();
    const at0 = await settledRss(hub);
    await createIdle(socket, 10);
    const at10 = await settledRss(hub);
    ctx.log(`${SUITE}: 10 idle sessions, waiting ${SETTLED_MS / 1000} s for the heaps to settle`);
    await sleep(SETTLED_MS);
    const quiet10 = await settledRss(hub);
    const split10 = split(hub);
    const pages10 = await binaryPagesNow(hub);
    ctx.log(`${SUITE}: 100 idle sessions`);
    await createIdle(socket, 90);
    const at100 = await settledRss(hub);

    const mb = (bytes: number) => bytes / 1e6;
    for (const [count, rss] of [
      [0, at0],
      [10, at10],
      [100, at100],
    ] as const) {
      ctx.add(row(SUITE, `hub RSS, ${count} idle sessions`, mb(rss.hub), "MB"));
      ctx.add(row(SUITE, `host RSS, ${count} idle sessions`, mb(rss.host), "MB"));
      ctx.add(
        row(
          SUITE,
          `hub + host RSS, ${count} idle sessions`,
          mb(rss.hub + rss.host),
          "MB",
          undefined,
          count === 10 ? "2 s after creating them; the budget is on the settled row" : undefined,
        ),
      );
    }
    ctx.add(row(SUITE, "hub RSS, 10 idle sessions, settled", mb(quiet10.hub), "MB"));
    ctx.add(row(SUITE, "host RSS, 10 idle sessions, settled", mb(quiet10.host), "MB"));
    ctx.add(
      row(
        SUITE,
        "hub + host RSS, 10 idle sessions, settled",
        mb(quiet10.hub + quiet10.host),
        "MB",
        { text: "≤ 100 MB", max: 100 },
        `${SETTLED_MS / 1000} s later: V8 has collected what start-up and the creations left`,
      ),
    );
    for (const [name, part] of [
      ["hub", split10.hub],
      ["host", split10.host],
    ] as const) {
      ctx.add(
        row(SUITE, `${name} anonymous memory (RssAnon), 10 idle sessions, settled`, mb(part.anon), "MB"),
      );
      ctx.add(row(SUITE, `${name} file pages (RssFile), 10 idle sessions, settled`, mb(part.file), "MB"));
      ctx.add(row(SUITE, `${name} PSS, 10 idle sessions, settled`, mb(part.pss), "MB"));
    }
    ctx.add(
      row(
        SUITE,
        "hub + host PSS, 10 idle sessions, settled",
        mb(split10.hub.pss + split10.host.pss),
        "MB",
        undefined,
        "the sum of VmRSS counts the node binary's shared pages twice; PSS shares them out",
      ),
    );
    if (pages10) addBinaryRows(ctx, pages10);
    const perSession = mb(at100.hub + at100.host - at10.hub - at10.host) / 90;
    ctx.add(
      row(
        SUITE,
        "increment per idle session (10 -> 100)",
        perSession,
        "MB",
        { text: "≤ 1 MB per extra session", max: 1 },
        `hub ${(mb(at100.hub - at10.hub) / 90).toFixed(3)}, host ${(mb(at100.host - at10.host) / 90).toFixed(3)} MB/session`,
      ),
    );
  } finally {
    await hub.stop();
  }
}

async function createIdle(socket: ClientSocket, count: number): Promise<void> {
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Math.min(10, count - i);
    const created = await Promise.all(
      Array.from({ length: batch }, () => socket.create({ command: ["sleep", "3600"] })),
    );
    ids.push(...created.map((s) => s.id));
  }
  await waitUntil(`${count} sessions running`, async () => {
    const running = new Set((await socket.list()).filter((s) => s.status === "running").map((s) => s.id));
    return ids.every((id) => running.has(id));
  });
}

/** Median of five readings over a second, after a settle time. */
async function settledRss(hub: BenchHub): Promise<{ hub: number; host: number }> {
  await sleep(SETTLE_MS);
  const readings: { hub: number; host: number }[] = [];
  for (let i = 0; i < 5; i++) {
    readings.push(hub.rss());
    await sleep(250);
  }
  return { hub: median(readings.map((r) => r.hub)), host: median(readings.map((r) => r.host)) };
}

type Trio = Record<"hub" | "host" | "bare", BinaryPages>;

/**
 * The node binary's resident pages in the hub, the host and a bare `node`
 * (`bench/binaryPages.ts`); undefined where pagemap cannot be read (not Linux).
 */
async function binaryPagesNow(hub: BenchHub): Promise<Trio | undefined> {
  const { hub: hubPid, host: hostPid } = hub.pids();
  if (!hubPid || !hostPid) return undefined;
  try {
    return await withBareNode((bare) => ({
      hub: binaryPages(hubPid),
      host: binaryPages(hostPid),
      bare: binaryPages(bare),
    }));
  } catch {
    return undefined;
  }
}

/** Rows for the node binary's pages per section; the full comparison in a file in LOG_DIR. */
function addBinaryRows(ctx: BenchContext, pages: Trio): void {
  const mb = (bytes: number | undefined) => (bytes ?? 0) / 1e6;
  for (const name of ["hub", "host", "bare"] as const) {
    const who = name === "bare" ? "bare node" : name;
    const { total, bySection } = pages[name];
    const parts = `.text ${mb(bySection.get(".text")).toFixed(1)}, .rodata ${mb(bySection.get(".rodata")).toFixed(1)} MB`;
    ctx.add(
      row(
        SUITE,
        `${who}: node binary resident, 10 idle sessions, settled`,
        mb(total),
        "MB",
        undefined,
        parts,
      ),
    );
  }
  mkdirSync(LOG_DIR, { recursive: true });
  const file = join(LOG_DIR, "memory-binary-pages.txt");
  writeFileSync(
    file,
    `${describe("hub", pages.hub, pages.bare, 40)}\n\n${describe("host", pages.host, pages.bare, 40)}\n`,
  );
  ctx.log(`${SUITE}: the node binary's pages by symbol, against a bare node: ${file}`);
}

/** Each process's VmRSS as anonymous memory and file pages, and its PSS (bytes). */
function split(hub: BenchHub): Record<"hub" | "host", { anon: number; file: number; pss: number }> {
  const { hub: hubPid, host: hostPid } = hub.pids();
  const part = (pid: number | undefined) =>
    pid
      ? { anon: rssOf(pid, "RssAnon"), file: rssOf(pid, "RssFile"), pss: pssOf(pid) }
      : { anon: 0, file: 0, pss: 0 };
  return { hub: part(hubPid), host: part(hostPid) };
}
