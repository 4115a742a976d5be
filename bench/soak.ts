/**
 * Soak: a steady load for minutes, to see whether the hub or the host keeps growing. 10
 * sessions print a line every 100 ms; 100 WebSocket clients are attached to all of them. The
 * hub's and host's RSS are sampled every few seconds; after a warm-up (the first quarter) the
 * slope of a least-squares line through the samples is reported per process, in MB/min: a
 * process that levels off has a slope near zero. `BENCH_SOAK_MINUTES` sets the length
 * (default 4, 1 with `--quick`); run it alone with `--only soak`.
 */
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import type { BenchContext } from "./context.js";
import { startHub } from "./hub.js";
import { row } from "./report.js";
import { sleep } from "./stats.js";

const SUITE = "soak";
const SESSIONS = 10;
const CLIENTS = 100;
const SAMPLE_EVERY_MS = 5000;
const LINE_EVERY = "0.1";

export async function soakSuite(ctx: BenchContext): Promise<void> {
  const minutes = Number(process.env.BENCH_SOAK_MINUTES) || (ctx.quick ? 1 : 4);
  const hub = await startHub({ env: { ...ctx.hubEnv, DISPATCH_MAX_SESSIONS: "500" } });
  const clients: ClientSocket[] = [];
  try {
    const control = await hub.socket();
    const ids: string[] = [];
    for (let i = 0; i < SESSIONS; i++) {
      const script = `i=0; while :; do i=$((i+1)); echo "soak line $i of session ${i}"; sleep ${LINE_EVERY}; done`;
      ids.push(
        (await control.create({ command: ["timeout", String(minutes * 60 + 120), "sh", "-c", script] })).id,
      );
    }
    ctx.log(`${SUITE}: ${CLIENTS} clients attached to ${SESSIONS} sessions for ${minutes} min`);
    for (let c = 0; c < CLIENTS; c++) {
      const socket = await hub.socket();
      clients.push(socket);
      for (const id of ids) await socket.attach(id, { afterSeq: 0, snapshot: true });
    }
    const samples: { t: number; hub: number; host: number }[] = [];
    const started = Date.now();
    const end = started + minutes * 60_000;
    while (Date.now() < end) {
      const { hub: hubRss, host } = hub.rss();
      samples.push({ t: (Date.now() - started) / 60_000, hub: hubRss / 1e6, host: host / 1e6 });
      await sleep(SAMPLE_EVERY_MS);
    }
    const settled = samples.slice(Math.floor(samples.length / 4));
    const note = `${settled.length} samples after ${((settled[0]?.t ?? 0) * 60).toFixed(0)} s of warm-up, ${minutes} min in all`;
    for (const which of ["hub", "host"] as const) {
      const points = settled.map((s) => ({ x: s.t, y: s[which] }));
      ctx.add(
        row(
          SUITE,
          `${which} RSS slope, ${SESSIONS} sessions, ${CLIENTS} clients`,
          slope(points),
          "MB/min",
          undefined,
          note,
        ),
      );
      // Bounded growth still filling (each screen's 2000 lines of scrollback take 200 s at 10
      // lines/s) shows in the slope above; the last half tells whether it has levelled off.
      const late = points.slice(Math.floor(points.length / 2));
      ctx.add(
        row(
          SUITE,
          `${which} RSS slope, last half`,
          slope(late),
          "MB/min",
          undefined,
          `${late.length} samples`,
        ),
      );
      ctx.add(
        row(
          SUITE,
          `${which} RSS at the end`,
          points[points.length - 1]?.y ?? null,
          "MB",
          undefined,
          `min ${Math.min(...points.map((p) => p.y)).toFixed(1)} MB`,
        ),
      );
    }
  } finally {
    await Promise.all(clients.map((client) => client.close().catch(() => undefined)));
    await hub.stop();
  }
}

/** Least-squares slope of y over x (0 for fewer than two points). */
export function slope(points: readonly { x: number; y: number }[]): number {
  if (points.length < 2) return 0;
  const n = points.length;
  const mx = points.reduce((sum, p) => sum + p.x, 0) / n;
  const my = points.reduce((sum, p) => sum + p.y, 0) / n;
  let num = 0;
  let den = 0;
  for (const p of points) {
    num += (p.x - mx) * (p.y - my);
    den += (p.x - mx) ** 2;
  }
  return den === 0 ? 0 : num / den;
}
