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
import { type IPty, spawn } from "node-pty";
import type { BenchContext } from "./context.js";
import { type BenchHub, BIN, REPO_ROOT, startHub } from "./hub.js";
import { row } from "./report.js";
import { percentile, sleep, waitUntil, within } from "./stats.js";

const SUITE = "client-echo";
const KEY_TIMEOUT_MS = 30_000;
/** One key every 30 ms, as in the echo suite. */
export const KEY_INTERVAL_MS = 30;
/** Keys no status line or prompt prints, so their appearance is the echo and nothing else. */
export const KEYS = ["`", "~"];
const ECHOER = "stty raw -echo; exec cat";
const FLOODER = "exec yes 'dispatch benchmark flood line, as fast as the terminal takes it'";
/** The flooded runs stop early when this slow, to keep the suite bounded. */
const RUN_TIME_LIMIT_MS = 40_000;
/** Keys typed back to back between the cold and the warm measurement. */
export const WARM_UP_KEYS = Number(process.env.BENCH_ECHO_WARM_UP_KEYS ?? 2000);

/** Echo times (ms) of the keys typed on a fresh client and hub, and of those typed after a warm-up. */
export interface Echoes {
  cold: number[];
  warm: number[];
}

export interface Client {
  pty: IPty;
  /** Everything the client printed so far (the tail of it). */
  text: () => string;
  /** Resolves when `char` next comes out of the client's PTY (event-driven: no polling delay). */
  next: (char: string) => Promise<void>;
}

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
  let client: Client | undefined;
  try {
    tmux("new-session", "-d", "-s", "echo", "-x", "80", "-y", "24", ECHOER);
    tmux("set-option", "-g", "status", "off");
    for (let i = 0; i < flooders; i++) tmux("new-window", "-d", "-t", "echo", FLOODER);
    client = open("tmux", ["-L", socket, "attach", "-t", "echo:0"], {});
    return await measure(client, keys);
  } finally {
    client?.pty.kill("SIGKILL");
    try {
      tmux("kill-server");
    } catch {
      // Already gone.
    }
  }
}

async function dispatchRun(ctx: BenchContext, keys: number, flooders: number): Promise<Echoes> {
  const hub: BenchHub = await startHub({ env: ctx.hubEnv });
  let client: Client | undefined;
  try {
    await echoSessions(hub, flooders);
    client = open(process.execPath, [BIN, "attach", "echo"], { ...hub.env, XDG_CONFIG_HOME: ctx.scratch });
    return await measure(client, keys);
  } finally {
    client?.pty.kill("SIGKILL");
    await hub.stop();
  }
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

export function open(file: string, args: string[], env: Record<string, string>): Client {
  let text = "";
  let waiter: { char: string; resolve: () => void } | undefined;
  const pty = spawn(file, args, {
    name: "xterm-256color",
    cols: 80,
    rows: 24,
    cwd: REPO_ROOT,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      TERM: "xterm-256color",
      ...env,
    },
  });
  pty.onData((data) => {
    text += data;
    // Only the tail matters; keep memory flat on long runs.
    if (text.length > 65536) text = text.slice(-4096);
    if (waiter && data.includes(waiter.char)) {
      const { resolve } = waiter;
      waiter = undefined;
      resolve();
    }
  });
  return {
    pty,
    text: () => text,
    next: (char) => new Promise<void>((resolve) => (waiter = { char, resolve })),
  };
}

/** The cold keys, `WARM_UP_KEYS` back to back, then the warm keys. */
export async function measure(client: Client, keys: number): Promise<Echoes> {
  // Attached and drawn: wait for the first output, then for the echo of a few first keys.
  await waitUntil("the client drew its first screen", () => client.text().length > 0, 15_000);
  await sleep(500);
  for (let i = 0; i < 10; i++) await key(client, KEYS[i % 2] as string);
  const cold = await paced(client, keys);
  for (let i = 0; i < WARM_UP_KEYS; i++) await key(client, KEYS[i % 2] as string);
  return { cold, warm: await paced(client, keys) };
}

/** `keys` keys, one every `KEY_INTERVAL_MS` (or at the echo, when slower): their echo times. */
async function paced(client: Client, keys: number): Promise<number[]> {
  const samples: number[] = [];
  const deadline = performance.now() + RUN_TIME_LIMIT_MS;
  for (let i = 0; i < keys && performance.now() < deadline; i++) {
    const started = performance.now();
    await key(client, KEYS[i % 2] as string);
    const ms = performance.now() - started;
    samples.push(ms);
    if (ms < KEY_INTERVAL_MS) await sleep(KEY_INTERVAL_MS - ms);
  }
  return samples;
}

async function key(client: Client, char: string): Promise<void> {
  const echoed = client.next(char);
  client.pty.write(char);
  await within(echoed, KEY_TIMEOUT_MS, `echo of '${char}'`);
}
