/**
 * The hub's and the host's garbage while the echo suites type (`BENCH_DAEMON_GC_LOG=DIR`): the
 * hub is started with `--import` of this module in its NODE_OPTIONS (a Node option, not a V8
 * flag, so the code cache is kept), which the host and the workers inherit. Each thread appends
 * its collections to `DIR/<pid>.<thread>.log` (`<epoch ms> gc <kind> <ms>`, after a first line
 * with its command line). The typist appends its phases to `DIR/marks` (`markPhase`); each
 * process's main thread watches that file and runs V8's sampling heap profiler over the
 * `warm-up` phase (the keys typed back to back), counting what was collected too, and writes
 * it to `DIR/<pid>.0.heapprofile`.
 *
 *   node dist/bench/daemonGc.js DIR [--keys 2000] [--top 25]
 *
 * prints each process's collections per phase and its top allocators per key.
 * docs/BENCHMARKS.md, "The hub's garbage per key".
 */
import {
  appendFileSync,
  openSync,
  readdirSync,
  readFileSync,
  watch,
  writeFileSync,
  writeSync,
} from "node:fs";
import { Session } from "node:inspector";
import { join } from "node:path";
import { PerformanceObserver } from "node:perf_hooks";
import { pathToFileURL } from "node:url";
import { isMainThread, threadId } from "node:worker_threads";
import { type CallFrame, original } from "./sourceFrames.js";

export const DAEMON_GC_ENV = "BENCH_DAEMON_GC_LOG";
/** Set in the hub's environment only: the suite and the typist import this module too. */
const LOGGER_ENV = "BENCH_DAEMON_GC_LOGGER";
const MARKS = "marks";
/** Bytes between samples: ~10,000 samples over 2,000 keys at ~40 KB a key. */
const SAMPLING_INTERVAL = 8192;

/** V8's `GCType` bits, as `PerformanceEntry.detail.kind` reports them (bench/clientGc.ts too). */
export const GC_KINDS: Record<number, string> = {
  1: "scavenge",
  2: "minor-mc",
  4: "mark-compact",
  8: "incremental",
  16: "weak",
};

/** The typist's phase change, for the daemons (no-op unless `BENCH_DAEMON_GC_LOG` is set). */
export function markDaemons(phase: string): void {
  const dir = process.env[DAEMON_GC_ENV];
  if (dir) appendFileSync(join(dir, MARKS), `${Date.now()} mark ${phase}\n`);
}

/** Environment for a hub whose processes log their collections to `dir`. */
export function daemonGcLogging(dir: string, env: Record<string, string>): Record<string, string> {
  writeFileSync(join(dir, MARKS), "");
  const options = `${env.NODE_OPTIONS ?? ""} --import ${import.meta.url}`.trim();
  return { ...env, NODE_OPTIONS: options, [LOGGER_ENV]: dir };
}

function logCollections(dir: string): void {
  const tag = `${process.pid}.${threadId}`;
  const fd = openSync(join(dir, `${tag}.log`), "a");
  writeSync(fd, `${Date.now()} argv ${process.argv.slice(1).join(" ")}\n`);
  new PerformanceObserver((list) => {
    let lines = "";
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
      lines += `${Math.round(performance.timeOrigin + entry.startTime)} gc ${GC_KINDS[kind] ?? kind} ${entry.duration.toFixed(3)}\n`;
    }
    writeSync(fd, lines);
  }).observe({ entryTypes: ["gc"] });
  if (isMainThread) sampleWarmUp(dir, tag);
}

/** Runs the sampling heap profiler from the `warm-up` mark to the next one. */
function sampleWarmUp(dir: string, tag: string): void {
  const marks = join(dir, MARKS);
  let session: Session | undefined;
  let done = false;
  const watcher = watch(marks, () => {
    if (done) return;
    const last = readFileSync(marks, "utf8").trim().split("\n").at(-1) ?? "";
    const phase = last.split(" ")[2];
    if (phase === "warm-up" && !session) {
      session = new Session();
      session.connect();
      session.post("HeapProfiler.enable");
      session.post("HeapProfiler.startSampling", {
        samplingInterval: SAMPLING_INTERVAL,
        includeObjectsCollectedByMajorGC: true,
        includeObjectsCollectedByMinorGC: true,
      });
    } else if (phase !== "warm-up" && session) {
      done = true;
      const open = session;
      open.post("HeapProfiler.stopSampling", (err, result) => {
        if (!err) writeFileSync(join(dir, `${tag}.heapprofile`), JSON.stringify(result.profile));
        open.disconnect();
        watcher.close();
      });
    }
  });
  watcher.unref();
}

const loggerDir = process.env[LOGGER_ENV];
if (loggerDir) logCollections(loggerDir);

interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

/** Self bytes by function, and by the innermost frame in dispatch's own code above it. */
function allocators(head: HeapNode): { total: number; self: Map<string, number>; ours: Map<string, number> } {
  const self = new Map<string, number>();
  const ours = new Map<string, number>();
  let total = 0;
  const name = (frame: CallFrame) => {
    const at = original(frame);
    const where = at.url.replace(/^file:\/\//, "").replace(/^.*\/(node_modules|dist)\//, "$1/");
    return `${at.functionName || "(anonymous)"} ${where}:${at.lineNumber + 1}`;
  };
  const walk = (node: HeapNode, nearestOurs: string) => {
    const here = name(node.callFrame);
    const mapped = original(node.callFrame).url;
    const ownFrame = mapped.includes("/src/") && !mapped.includes("node_modules");
    const attributed = ownFrame ? here : nearestOurs;
    if (node.selfSize > 0) {
      total += node.selfSize;
      self.set(here, (self.get(here) ?? 0) + node.selfSize);
      ours.set(attributed, (ours.get(attributed) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, attributed);
  };
  walk(head, "(outside dispatch's code)");
  return { total, self, ours };
}

function summarise(dir: string, keys: number, top: number): void {
  const markLines = readFileSync(join(dir, MARKS), "utf8").trim().split("\n");
  const marks = markLines.map((line) => {
    const [at, , phase] = line.split(" ");
    return { at: Number(at), phase: phase ?? "?" };
  });
  const phaseAt = (at: number) => marks.filter((m) => m.at <= at).at(-1)?.phase ?? "start";
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".log"))
    .sort()) {
    const lines = readFileSync(join(dir, file), "utf8").trim().split("\n");
    const argv = (lines[0] ?? "").split(" ").slice(2).join(" ");
    const counts = new Map<string, { count: number; ms: number }>();
    for (const line of lines.slice(1)) {
      const [at, , kind, ms] = line.split(" ");
      const key = `${phaseAt(Number(at))} ${kind}`;
      const entry = counts.get(key) ?? { count: 0, ms: 0 };
      counts.set(key, { count: entry.count + 1, ms: entry.ms + Number(ms) });
    }
    if (counts.size === 0) continue;
    console.log(`\n== ${file}: ${argv}`);
    for (const [key, { count, ms }] of counts)
      console.log(`  ${key}: ${count} (${ms.toFixed(1)} ms, ${(ms / count).toFixed(2)} each)`);
    const profileFile = join(dir, file.replace(/\.log$/, ".heapprofile"));
    let profile: { head: HeapNode };
    try {
      profile = JSON.parse(readFileSync(profileFile, "utf8")) as { head: HeapNode };
    } catch {
      continue; // Not sampled (a worker, or a process that ended before the warm-up).
    }
    const { total, self, ours } = allocators(profile.head);
    console.log(
      `  warm-up allocated (sampled): ${(total / 1024 / keys).toFixed(1)} KB per key over ${keys} keys`,
    );
    const print = (title: string, map: Map<string, number>) => {
      console.log(`  -- ${title}, bytes per key`);
      for (const [what, bytes] of [...map].sort((a, b) => b[1] - a[1]).slice(0, top))
        console.log(`  ${(bytes / keys).toFixed(0).padStart(7)}  ${what}`);
    };
    print("by function", self);
    print("by the nearest frame of dispatch's own", ours);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const [dir, ...rest] = process.argv.slice(2);
  if (!dir) {
    console.error("usage: node dist/bench/daemonGc.js DIR [--keys 2000] [--top 25]");
    process.exit(2);
  }
  const option = (name: string, fallback: number) => {
    const i = rest.indexOf(name);
    return i >= 0 ? Number(rest[i + 1]) : fallback;
  };
  summarise(dir, option("--keys", 2000), option("--top", 25));
}
