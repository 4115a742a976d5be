/**
 * The typist of the echo suites, in a process of its own: opens a terminal client in a PTY,
 * types keys into it and times each until its echo comes out (`client-echo`, and the CLI
 * figure `browser-echo` compares the page with).
 *
 * Not in the benchmark's own process: by the time the echo suites run, that process holds the
 * earlier suites' data, and its collections landed in the timings. A scheduler trace of an idle
 * run (docs/BENCHMARKS.md, "The slowest idle keys, one by one") found the typist's GC threads on
 * both CPUs during one of the twelve slowest keys. A process that does nothing else keeps a heap
 * of a few MB, whose collections are short, and it types the same for every tool.
 *
 *   node dist/bench/echoTyper.js '{"file":..., "args":[...], "env":{...}, "cwd":..., "keys":N}'
 *
 * prints `{"cold":[ms...],"warm":[ms...]}` on stdout.
 */
import { pathToFileURL } from "node:url";
import { type IPty, spawn } from "node-pty";
import { childJson } from "./childJson.js";
import { markPhase } from "./clientGc.js";
import { sleep, waitUntil, within } from "./stats.js";

const KEY_TIMEOUT_MS = 30_000;
/** One key every 30 ms, as in the echo suite. */
export const KEY_INTERVAL_MS = 30;
/** Keys no status line or prompt prints, so their appearance is the echo and nothing else. */
export const KEYS = ["`", "~"];
/** The flooded runs stop early when this slow, to keep the suite bounded. */
const RUN_TIME_LIMIT_MS = 40_000;
/** Keys typed back to back between the cold and the warm measurement. */
export const WARM_UP_KEYS = Number(process.env.BENCH_ECHO_WARM_UP_KEYS ?? 2000);

/** Echo times (ms) of the keys typed on a fresh client and hub, and of those typed after a warm-up. */
export interface Echoes {
  cold: number[];
  warm: number[];
}

/** What to type into: a client command, its environment, and how many keys per measurement. */
export interface TypingJob {
  file: string;
  args: string[];
  env: Record<string, string>;
  cwd: string;
  keys: number;
}

/** Runs `job` in a typist process of its own; its echo times. */
export function typeEchoes(job: TypingJob): Promise<Echoes> {
  // Its stdin is a pipe from here: it ends, and the typist with it, if this process dies.
  const args = [new URL(import.meta.url).pathname, JSON.stringify(job)];
  return childJson("the echo typist", process.execPath, args, { stdin: "pipe" });
}

interface Client {
  pty: IPty;
  /** Everything the client printed so far (the tail of it). */
  text: () => string;
  /** Resolves when `char` next comes out of the client's PTY (event-driven: no polling delay). */
  next: (char: string) => Promise<void>;
}

function open(job: TypingJob): Client {
  let text = "";
  let waiter: { char: string; resolve: () => void } | undefined;
  const pty = spawn(job.file, job.args, {
    name: "xterm-256color",
    cols: 80,
    rows: 24,
    cwd: job.cwd,
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: process.env.HOME ?? "/tmp",
      TERM: "xterm-256color",
      ...job.env,
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
async function measure(client: Client, keys: number): Promise<Echoes> {
  // Attached and drawn: wait for the first output, then for the echo of a few first keys.
  await waitUntil("the client drew its first screen", () => client.text().length > 0, 15_000);
  await sleep(500);
  for (let i = 0; i < 10; i++) await key(client, KEYS[i % 2] as string);
  markPhase("cold");
  const cold = await paced(client, keys);
  markPhase("warm-up");
  for (let i = 0; i < WARM_UP_KEYS; i++) await key(client, KEYS[i % 2] as string);
  markPhase("warm");
  const warm = await paced(client, keys);
  markPhase("end");
  return { cold, warm };
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

async function main(job: TypingJob): Promise<void> {
  const client = open(job);
  try {
    process.stdout.write(JSON.stringify(await measure(client, job.keys)));
  } finally {
    client.pty.kill("SIGKILL");
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.stdin.on("close", () => process.exit(1));
  process.stdin.resume();
  main(JSON.parse(process.argv[2] ?? "{}") as TypingJob).then(
    () => process.exit(0),
    (err: Error) => {
      process.stderr.write(`${err.message}\n`);
      process.exit(1);
    },
  );
}
