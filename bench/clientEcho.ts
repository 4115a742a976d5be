/**
 * Echo as a person feels it, through each tool's own terminal client: a key written to the
 * client's PTY, timed until its echo comes back out of that PTY. tmux: `tmux attach` to a
 * window running `cat` on a raw terminal, other windows running `yes`; dispatch: `dispatch
 * attach` to a session running the same `cat`, other sessions running `yes`. Idle, with 4 and
 * with 10 flooders, in one run, so the ratios compare like with like on this machine.
 *
 * Each run types twice: first on the fresh client and hub ("cold start": the first keys after
 * a start), then again after `WARM_UP_KEYS` keys back to back. The goals are on the second, the
 * state of a hub that has been running: a fresh hub's and client's JavaScript runs in V8's
 * interpreter until each function has run often enough to be compiled, and an idle key's echo
 * took ~1 ms less after ~2,000 keys (docs/BENCHMARKS.md, "Cold and warm"). tmux types the same.
 */
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { GC_LOG_ENV, type GcSummary, gcLogging, gcSummary } from "./clientGc.js";
import type { BenchContext } from "./context.js";
import { DAEMON_GC_ENV, daemonGcLogging } from "./daemonGc.js";
import { type Echoes, KEY_INTERVAL_MS, type TypingJob, typeEchoes, WARM_UP_KEYS } from "./echoTyper.js";
import { type BenchHub, BIN, REPO_ROOT, startHub } from "./hub.js";
import { row } from "./report.js";
import { percentile } from "./stats.js";

const SUITE = "client-echo";
const ECHOER = "stty raw -echo; exec cat";
const FLOODER = "exec yes 'dispatch benchmark flood line, as fast as the terminal takes it'";

export async function clientEchoSuite(ctx: BenchContext): Promise<void> {
  const keys = ctx.quick ? 200 : 600;
  // BENCH_CLIENT_ECHO_LOADS=4 runs one load only (for a profile of that case).
  const loads = (process.env.BENCH_CLIENT_ECHO_LOADS ?? "0,4,10").split(",").map(Number);
  for (const flooders of loads) {
    const tmux = await tmuxRun(keys, flooders).catch((err: Error) => {
      ctx.note(`tmux echo with ${flooders} flooders failed: ${err.message}`);
      return undefined;
    });
    const dispatch = await dispatchRun(ctx, keys, flooders);
    const what = flooders === 0 ? "idle" : `${flooders} sessions flooding (yes)`;
    report(ctx, what, dispatch, tmux, flooders === 0);
  }
}

function report(
  ctx: BenchContext,
  what: string,
  dispatch: Echoes,
  tmux: Echoes | undefined,
  idle: boolean,
): void {
  const note = `${dispatch.warm.length} keys through the client's PTY, 1 key / ${KEY_INTERVAL_MS} ms, after ${WARM_UP_KEYS} keys`;
  const coldNote = `the first ${dispatch.cold.length} keys after the client and hub started`;
  for (const p of [50, 99]) {
    const ours = percentile(dispatch.warm, p);
    const theirs = tmux ? percentile(tmux.warm, p) : null;
    if (theirs !== null)
      ctx.add(row(SUITE, `tmux attach echo p${p}, ${what}`, theirs, "ms", undefined, note));
    const coldTmux = tmux ? percentile(tmux.cold, p) : null;
    const coldOurs = percentile(dispatch.cold, p);
    ctx.add(
      row(
        SUITE,
        `dispatch attach echo p${p}, ${what}, cold start`,
        coldOurs,
        "ms",
        coldTmux === null ? undefined : { text: "—", ratio: { value: coldOurs / coldTmux, of: "tmux" } },
        coldNote,
      ),
    );
    const ratio = theirs ? ours / theirs : null;
    // Goals (issue "Interactive under load"): under load p50 and p99 ≤ tmux's; idle p50 ≤
    // 1.5× tmux's and p99 ≤ 5 ms.
    const budget =
      idle && p === 99
        ? { text: "p99 ≤ 5 ms", max: 5 }
        : ratio === null
          ? undefined
          : {
              text: idle ? "≤ 1.5 × tmux" : "≤ tmux",
              ratio: { value: ratio, of: "tmux", max: idle ? 1.5 : 1 },
            };
    ctx.add(row(SUITE, `dispatch attach echo p${p}, ${what}`, ours, "ms", budget, note));
  }
}

async function tmuxRun(keys: number, flooders: number): Promise<Echoes> {
  const socket = `dispatch-bench-${process.pid}`;
  const tmux = (...args: string[]) => execFileSync("tmux", ["-L", socket, "-f", "/dev/null", ...args]);
  try {
    tmux("new-session", "-d", "-s", "echo", "-x", "80", "-y", "24", ECHOER);
    tmux("set-option", "-g", "status", "off");
    for (let i = 0; i < flooders; i++) tmux("new-window", "-d", "-t", "echo", FLOODER);
    const args = ["-L", socket, "attach", "-t", "echo:0"];
    return await typeEchoes({ file: "tmux", args, env: {}, cwd: REPO_ROOT, keys });
  } finally {
    try {
      tmux("kill-server");
    } catch {
      // Already gone.
    }
  }
}

async function dispatchRun(ctx: BenchContext, keys: number, flooders: number): Promise<Echoes> {
  const daemonGcDir = process.env[DAEMON_GC_ENV];
  const env = daemonGcDir ? daemonGcLogging(daemonGcDir, ctx.hubEnv) : ctx.hubEnv;
  const hub: BenchHub = await startHub({ env });
  try {
    await echoSessions(hub, flooders);
    const gcLog = process.env[GC_LOG_ENV];
    if (!gcLog) return await typeEchoes(attachJob(hub, ctx, keys));
    writeFileSync(gcLog, "");
    const { args, env } = gcLogging(gcLog);
    const job = attachJob(hub, ctx, keys);
    const echoes = await typeEchoes({ ...job, args: [...args, ...job.args], env: { ...job.env, ...env } });
    ctx.note(`dispatch attach's collections with ${flooders} flooders: ${gcText(gcSummary(gcLog))}`);
    return echoes;
  } finally {
    await hub.stop();
  }
}

/** Each phase's collections: "warm: scavenge 5 (2.2 ms), ...". */
function gcText(summary: GcSummary): string {
  return Object.entries(summary)
    .map(
      ([phase, kinds]) =>
        `${phase}: ${Object.entries(kinds)
          .map(([kind, { count, ms }]) => `${kind} ${count} (${ms.toFixed(1)} ms)`)
          .join(", ")}`,
    )
    .join("; ");
}

/** `dispatch attach echo` on `hub`, typed into `keys` keys per measurement. */
export function attachJob(hub: BenchHub, ctx: BenchContext, keys: number): TypingJob {
  const env = { ...hub.env, XDG_CONFIG_HOME: ctx.scratch };
  return { file: process.execPath, args: [BIN, "attach", "echo"], env, cwd: REPO_ROOT, keys };
}

/** The session `echo` running `cat` on a raw terminal, and `flooders` sessions running `yes`. */
export async function echoSessions(hub: BenchHub, flooders: number): Promise<void> {
  const socket = await hub.socket();
  await socket.create({ name: "echo", command: ["sh", "-c", ECHOER] });
  for (let i = 0; i < flooders; i++) {
    // `timeout` bounds the flooders even if cleanup never runs.
    await socket.create({ command: ["timeout", "600", "sh", "-c", FLOODER] });
  }
}
