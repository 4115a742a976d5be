/**
 * Prints a results file as Markdown (the table and the machine) for docs/BENCHMARKS.md:
 *   node dist/bench/markdown.js [bench/results/latest.json]
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { REPO_ROOT } from "./hub.js";
import { markdownTable, type Results } from "./report.js";

const file = process.argv[2] ?? join(REPO_ROOT, "bench", "results", "latest.json");
const results = JSON.parse(readFileSync(file, "utf8")) as Results;
const m = results.machine;
console.log(`${results.mode} run of ${results.startedAt}, ${results.durationS} s\n`);
console.log(markdownTable(results.rows));
console.log(
  `\nMachine: ${m.cpus} CPUs (${m.cpuModel}), ${m.memTotal} RAM (${m.memFree} free at the end), ` +
    `Node ${m.node}, Linux ${m.kernel}, ${m.tmux ?? "no tmux"}; 1-minute load average at the end: ${m.loadAverage}.`,
);
for (const note of results.notes) console.log(`\n- note: ${note}`);
for (const failure of results.failures)
  console.log(`\n- FAILED ${failure.suite}: ${failure.error.split("\n")[0]}`);
