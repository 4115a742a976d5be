/**
 * Hub restart with running sessions: each session prints a numbered line every ~50 ms;
 * `dispatch stop`, a second of hub downtime, `dispatch start`. Measures the time from
 * `dispatch start` until a client attached to every session receives output born after the
 * start (`frame.ts`, stamped by the host, same clock), and checks every session's stored
 * lines: each number exactly once, in order. Lost lines count as lost bytes.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import type { BenchContext } from "./context.js";
import { type BenchHub, startHub } from "./hub.js";
import { row } from "./report.js";
import { sleep, waitUntil, within } from "./stats.js";

const SUITE = "restart";
const LINE_PRINTER = [
  "timeout",
  "900",
  "perl",
  "-e",
  '$| = 1; for (my $i = 1; ; $i++) { print "L$i\\n"; select(undef, undef, undef, 0.05) }',
];
const DOWNTIME_MS = 1000;
const STREAM_TIMEOUT_MS = 60_000;

export async function restartSuite(ctx: BenchContext): Promise<void> {
  // BENCH_RESTART_SESSIONS overrides the count (e.g. 50 for the durability issue's figure).
  const count = Number(process.env.BENCH_RESTART_SESSIONS) || (ctx.quick ? 20 : 100);
  const hub = await startHub({ env: { ...ctx.hubEnv, DISPATCH_MAX_SESSIONS: "500" } });
  try {
    const ids = await createPrinters(hub, count);
    ctx.log(`${SUITE}: ${count} sessions printing; restarting the hub`);

    const lastSeen = new Map<string, number>();
    const viewer = await hub.socket();
    track(viewer, lastSeen);
    for (const id of ids) await viewer.attach(id, { afterSeq: 0, snapshot: false });
    await waitUntil("every session to print", () => ids.every((id) => (lastSeen.get(id) ?? 0) > 1));
    await sleep(2000);
    await viewer.close();

    const stopped = await hub.cli(["stop"]);
    if (stopped.code !== 0) throw new Error(`dispatch stop failed (code ${stopped.code}): ${stopped.stderr}`);
    await sleep(DOWNTIME_MS);

    const wallStart = Date.now();
    const t0 = performance.now();
    const started = await hub.start();
    if (started.code !== 0)
      throw new Error(`dispatch start failed (code ${started.code}): ${started.stderr}`);
    const healthyMs = performance.now() - t0;
    const after = await hub.socket();
    const connectedMs = performance.now() - t0;
    const firstLive = new Map<string, number>();
    after.onOutput((frame) => {
      if (frame.ts >= wallStart && !firstLive.has(frame.session))
        firstLive.set(frame.session, performance.now() - t0);
    });
    track(after, lastSeen);
    // Replayed output joined, as `dispatch attach` (SessionStream) and the web UI ask for it.
    await Promise.all(
      ids.map((id) => after.attach(id, { afterSeq: lastSeen.get(id) ?? 0, snapshot: false, coalesce: true })),
    );
    const attachedMs = performance.now() - t0;
    await waitUntil(
      `all ${count} sessions to stream again`,
      () => ids.every((id) => firstLive.has(id)),
      STREAM_TIMEOUT_MS,
      5,
    );
    const allMs = Math.max(...ids.map((id) => firstLive.get(id) as number));

    ctx.add(row(SUITE, `\`dispatch stop\`, ${count} sessions running`, stopped.ms, "ms"));
    ctx.add(row(SUITE, `\`dispatch start\` until healthy, ${count} sessions running`, healthyMs, "ms"));
    ctx.add(
      row(
        SUITE,
        `start until all ${count} sessions stream again`,
        allMs,
        "ms",
        { text: "≤ 1 s", max: 1000 },
        `healthy -> all streaming ${(allMs - healthyMs).toFixed(0)} ms`,
      ),
    );

    const steps = startupSteps(hub.home, wallStart);
    const firstMs = Math.min(...ids.map((id) => firstLive.get(id) as number));
    steps.push(
      `client connected ${connectedMs.toFixed(0)}`,
      `all attached ${attachedMs.toFixed(0)}`,
      `first session live ${firstMs.toFixed(0)}`,
      `last ${allMs.toFixed(0)}`,
    );
    ctx.note(`${SUITE}: ms after \`dispatch start\` began: ${steps.join(", ")}`);

    await sleep(1000);
    const check = await checkLines(await hub.socket(), ids);
    const detail =
      `${check.lines} lines checked; ${check.missing} missing, ${check.duplicates} duplicated or out of order, ` +
      `${check.garbage} unexpected, ${check.gaps} gap events`;
    if (check.missing + check.duplicates + check.garbage + check.gaps > 0) {
      ctx.note(`${SUITE}: ${detail}; first problems: ${check.problems.slice(0, 5).join("; ")}`);
    }
    ctx.add(
      row(
        SUITE,
        `bytes lost across the restart, ${count} sessions`,
        check.bytesLost,
        "bytes",
        {
          text: "0 bytes lost",
          max: 0,
        },
        detail,
      ),
    );
  } finally {
    await hub.stop();
  }
}

/**
 * The restarted hub's start-up steps from its log ("hub listening" carries epoch ms of each;
 * "host connected" is the local host's hello), as "step ms" after `since`.
 */
function startupSteps(home: string, since: number): string[] {
  const steps: string[] = [];
  let lines: string[];
  try {
    lines = readFileSync(join(home, "hub.log"), "utf8").split("\n");
  } catch {
    return steps;
  }
  for (const line of lines) {
    if (!line.startsWith("{")) continue;
    const entry = JSON.parse(line) as {
      time?: number;
      msg?: string;
      startup?: Record<string, number>;
      cpuMs?: number;
    };
    if ((entry.time ?? 0) < since) continue;
    if (entry.msg === "hub listening" && entry.startup) {
      for (const [step, at] of Object.entries(entry.startup)) steps.push(`${step} ${at - since}`);
      // Not a time after the start: the hub's CPU time until it listened.
      if (entry.cpuMs !== undefined) steps.push(`(hub CPU time until listening: ${entry.cpuMs} ms)`);
    } else if (entry.msg === "host connected" || entry.msg === "connected to running local host") {
      steps.push(`${entry.msg} ${(entry.time ?? 0) - since}`);
    }
  }
  return steps;
}

async function createPrinters(hub: BenchHub, count: number): Promise<string[]> {
  const control = await hub.socket();
  const ids: string[] = [];
  for (let i = 0; i < count; i += 10) {
    const batch = Math.min(10, count - i);
    const created = await Promise.all(
      Array.from({ length: batch }, () => control.create({ command: LINE_PRINTER })),
    );
    ids.push(...created.map((s) => s.id));
  }
  await control.close();
  return ids;
}

function track(socket: ClientSocket, lastSeen: Map<string, number>): void {
  const see = (session: string, seq: number) => {
    if (seq > (lastSeen.get(session) ?? 0)) lastSeen.set(session, seq);
  };
  socket.onOutput((frame) => see(frame.session, frame.seq));
  socket.onMessage((message) => {
    if (message.type === "event") see(message.event.session, message.event.seq);
  });
}

interface LineCheck {
  lines: number;
  missing: number;
  duplicates: number;
  garbage: number;
  gaps: number;
  bytesLost: number;
  problems: string[];
}

/** Replays every session from seq 0 and checks its numbered lines. */
async function checkLines(socket: ClientSocket, ids: string[]): Promise<LineCheck> {
  const targets = new Map((await socket.list()).map((s) => [s.id, s.lastSeq]));
  const text = new Map<string, string[]>(ids.map((id) => [id, []]));
  const reached = new Set<string>();
  const result: LineCheck = {
    lines: 0,
    missing: 0,
    duplicates: 0,
    garbage: 0,
    gaps: 0,
    bytesLost: 0,
    problems: [],
  };
  const decoder = new TextDecoder();
  const see = (session: string, seq: number) => {
    if (seq >= (targets.get(session) ?? 0)) reached.add(session);
  };
  socket.onOutput((frame) => {
    text.get(frame.session)?.push(decoder.decode(frame.data));
    see(frame.session, frame.seq);
  });
  socket.onMessage((message) => {
    if (message.type !== "event") return;
    if (message.event.type === "gap") {
      result.gaps++;
      result.problems.push(`gap in ${message.event.session}: ${JSON.stringify(message.event.data)}`);
    }
    see(message.event.session, message.event.seq);
  });
  // Exact events from seq 1, never a snapshot: the check needs every stored line.
  await Promise.all(ids.map((id) => socket.attach(id, { afterSeq: 0, snapshot: false })));
  await within(
    waitUntil("replay of every session", () => ids.every((id) => reached.has(id)), STREAM_TIMEOUT_MS),
    STREAM_TIMEOUT_MS + 1000,
    "line check",
  );
  await socket.close();

  for (const id of ids) {
    const lines = (text.get(id) as string[]).join("").replaceAll("\r", "").split("\n");
    lines.pop(); // The last line may be cut short by the replay's end.
    let expected = 1;
    for (const line of lines) {
      result.lines++;
      const match = /^L(\d+)$/.exec(line);
      if (!match) {
        result.garbage++;
        result.problems.push(`${id}: unexpected line ${JSON.stringify(line.slice(0, 40))}`);
        continue;
      }
      const n = Number(match[1]);
      if (n === expected) {
        expected++;
      } else if (n > expected) {
        result.problems.push(`${id}: L${expected}..L${n - 1} missing`);
        for (let k = expected; k < n; k++) result.bytesLost += `L${k}\r\n`.length;
        result.missing += n - expected;
        expected = n + 1;
      } else {
        result.duplicates++;
        result.problems.push(`${id}: L${n} again after L${expected - 1}`);
      }
    }
  }
  return result;
}
