/**
 * Keystroke echo latency: one character sent as a WebSocket `input`, timed until its echo
 * arrives in an output frame. The session runs `cat` on a raw terminal (`stty raw -echo`), so
 * the echo is a program's, as with a shell's line editor: client -> hub -> host -> PTY ->
 * cat -> PTY -> host -> hub (stored) -> client. Idle, then with 10 other sessions streaming.
 */
import type { ClientSocket } from "../src/cli/ClientSocket.js";
import type { BenchContext } from "./context.js";
import { type BenchHub, startHub } from "./hub.js";
import { row } from "./report.js";
import { percentile, sleep, within } from "./stats.js";

const SUITE = "echo";
/** A key whose echo takes longer is reported as a failure (the hub lost it or stalled). */
const KEY_TIMEOUT_MS = 60_000;
const LETTERS = "abcdefghijklmnopqrstuvwxyz";
/**
 * One key every 30 ms (a fast key repeat; people type slower). The host flushes the first
 * output after a quiet spell at once but gathers output for up to 16 ms after a flush, so
 * back-to-back keys measure that window rather than the path; they are reported apart.
 */
const KEY_INTERVAL_MS = 30;
/** The flood run stops early when keys are this slow in total, to keep the suite bounded. */
const FLOOD_TIME_LIMIT_MS = 45_000;
/** About 1 MB/s per session: 16 KB of 100-byte lines every 16 ms, like a busy build log. */
const STEADY_STREAM = [
  "perl",
  "-e",
  '$|=1; my $l = ("x" x 99) . "\\n"; while (1) { print $l x 160; select(undef, undef, undef, 0.016) }',
];
/** As fast as the PTY and flow control allow. */
const FLOOD_STREAM = ["yes", "dispatch benchmark flood line, as fast as the terminal takes it"];

export async function echoSuite(ctx: BenchContext): Promise<void> {
  const keys = ctx.quick ? 500 : 2000;
  const hub = await startHub({ env: ctx.hubEnv });
  try {
    const socket = await hub.socket();
    const every = `1 key / ${KEY_INTERVAL_MS} ms`;
    ctx.log(`${SUITE}: idle, ${keys} keystrokes`);
    report(ctx, `idle, ${keys} keys, ${every}`, await echoRun(socket, keys, KEY_INTERVAL_MS), 5);

    ctx.log(`${SUITE}: 10 sessions streaming ~1 MB/s each`);
    const steady = await streaming(hub, STEADY_STREAM, () => echoRun(socket, keys, KEY_INTERVAL_MS));
    report(ctx, `10 sessions streaming ~1 MB/s each, ${keys} keys, ${every}`, steady, 15);

    const burst = ctx.quick ? 200 : 500;
    ctx.log(`${SUITE}: idle, back-to-back keys`);
    report(ctx, `idle, ${burst} keys back to back`, await echoRun(socket, burst, 0));

    if (!ctx.quick) {
      const floodKeys = 500;
      ctx.log(`${SUITE}: 10 sessions flooding`);
      const flood = await streaming(hub, FLOOD_STREAM, () =>
        echoRun(socket, floodKeys, KEY_INTERVAL_MS, FLOOD_TIME_LIMIT_MS),
      );
      report(ctx, `10 sessions flooding (yes), ${flood.length} keys, ${every}`, flood);
    }
  } finally {
    await hub.stop();
  }
}

function report(ctx: BenchContext, what: string, samples: number[], p99Budget?: number): void {
  ctx.add(row(SUITE, `echo p50, ${what}`, percentile(samples, 50), "ms"));
  ctx.add(row(SUITE, `echo p95, ${what}`, percentile(samples, 95), "ms"));
  ctx.add(
    row(
      SUITE,
      `echo p99, ${what}`,
      percentile(samples, 99),
      "ms",
      p99Budget === undefined ? undefined : { text: `p99 ≤ ${p99Budget} ms`, max: p99Budget },
      `max ${Math.max(...samples).toFixed(1)} ms`,
    ),
  );
}

/** Runs `measure` while 10 sessions print `command`'s output (stored by the hub, no viewer). */
async function streaming<T>(hub: BenchHub, command: string[], measure: () => Promise<T>): Promise<T> {
  const control = await hub.socket();
  const ids: string[] = [];
  try {
    for (let i = 0; i < 10; i++) {
      // `timeout` bounds the streamers even if cleanup never runs.
      ids.push((await control.create({ command: ["timeout", "600", ...command] })).id);
    }
    await sleep(1000);
    return await measure();
  } finally {
    await Promise.all(ids.map((id) => control.kill(id, "SIGKILL").catch(() => undefined)));
    // Removes the ended sessions and their history.
    await Promise.all(ids.map((id) => control.kill(id).catch(() => undefined)));
    await control.close();
  }
}

/** `keys` keystrokes, one at a time, the next sent `intervalMs` after the previous (or at its echo). */
async function echoRun(
  socket: ClientSocket,
  keys: number,
  intervalMs: number,
  timeLimitMs = Number.POSITIVE_INFINITY,
): Promise<number[]> {
  const info = await socket.create({ command: ["sh", "-c", "stty raw -echo && exec cat"] });
  let waiting: { code: number; resolve: () => void } | undefined;
  const off = socket.onOutput((frame) => {
    if (frame.session !== info.id || !waiting) return;
    if (frame.data.includes(waiting.code)) {
      const { resolve } = waiting;
      waiting = undefined;
      resolve();
    }
  });
  const key = (char: string) =>
    within(
      new Promise<void>((resolve) => {
        waiting = { code: char.charCodeAt(0), resolve };
        socket.input(info.id, char);
      }),
      KEY_TIMEOUT_MS,
      `echo of '${char}'`,
    );
  try {
    await socket.attach(info.id, { afterSeq: 0, snapshot: false });
    // Until `stty raw -echo` has run the terminal echoes too; wait for cat, then let it settle.
    await sleep(300);
    await key("#");
    await sleep(100);
    for (let i = 0; i < 20; i++) await key(LETTERS[i % 26] as string);
    const samples: number[] = [];
    const deadline = performance.now() + timeLimitMs;
    for (let i = 0; i < keys && performance.now() < deadline; i++) {
      const started = performance.now();
      await key(LETTERS[i % 26] as string);
      const ms = performance.now() - started;
      samples.push(ms);
      if (ms < intervalMs) await sleep(intervalMs - ms);
    }
    return samples;
  } finally {
    off();
    await socket.kill(info.id, "SIGKILL").catch(() => undefined);
    await socket.kill(info.id).catch(() => undefined);
  }
}
