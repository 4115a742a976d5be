/**
 * The client-echo suite's count of the `dispatch attach` client's garbage collections
 * (`BENCH_CLIENT_GC_LOG=FILE`): the client is started with `--import` of this module (a Node
 * option, not a V8 flag, so Node's code cache is kept) and appends each collection to FILE as
 * it ends, `<epoch ms> gc <kind> <ms> <heap MB>`, since the typist kills the client at the end; the typist
 * appends `<epoch ms> mark <phase>` as it moves from the cold keys to the warm-up and the warm
 * keys. `gcSummary` reads the file back. docs/BENCHMARKS.md, "The attach client's garbage".
 */
import { appendFileSync, openSync, readFileSync, writeSync } from "node:fs";
import { PerformanceObserver } from "node:perf_hooks";
import { getHeapStatistics } from "node:v8";
import { GC_KINDS as KINDS, markDaemons } from "./daemonGc.js";

export const GC_LOG_ENV = "BENCH_CLIENT_GC_LOG";
/** Set in the client's environment only: the suite and the typist import this module too. */
const LOGGER_ENV = "BENCH_GC_LOGGER";

/** The typist's phase change, on the clock of the client's lines. */
export function markPhase(phase: string): void {
  markDaemons(phase);
  const file = process.env[GC_LOG_ENV];
  if (file) appendFileSync(file, `${Date.now()} mark ${phase}\n`);
}

/** Per phase: each kind's count and milliseconds. */
export type GcSummary = Record<string, Record<string, { count: number; ms: number }>>;

export function gcSummary(file: string): GcSummary {
  const summary: GcSummary = {};
  let phase = "start";
  for (const line of readFileSync(file, "utf8").split("\n")) {
    const [, what, name, ms] = line.split(" ");
    if (what === "mark" && name) phase = name;
    if (what !== "gc" || !name) continue;
    const kinds = summary[phase] ?? {};
    summary[phase] = kinds;
    const entry = kinds[name] ?? { count: 0, ms: 0 };
    kinds[name] = { count: entry.count + 1, ms: entry.ms + Number(ms) };
  }
  return summary;
}

/** The V8 heap's committed size after a collection, MB: what the memory reducer would shrink. */
function heapMb(): string {
  return (getHeapStatistics().total_heap_size / 2 ** 20).toFixed(1);
}

function logCollections(file: string): void {
  const fd = openSync(file, "a");
  new PerformanceObserver((list) => {
    let lines = "";
    for (const entry of list.getEntries()) {
      const kind = (entry as { detail?: { kind?: number } }).detail?.kind ?? 0;
      lines += `${Math.round(performance.timeOrigin + entry.startTime)} gc ${KINDS[kind] ?? kind} ${entry.duration.toFixed(3)} ${heapMb()}\n`;
    }
    writeSync(fd, lines);
  }).observe({ entryTypes: ["gc"] });
}

/** Node options and environment that make a client log its collections to `file`. */
export function gcLogging(file: string): { args: string[]; env: Record<string, string> } {
  return { args: ["--import", import.meta.url], env: { [GC_LOG_ENV]: file, [LOGGER_ENV]: "1" } };
}

const file = process.env[GC_LOG_ENV];
if (file && process.env[LOGGER_ENV] === "1") logCollections(file);
