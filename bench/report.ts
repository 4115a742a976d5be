/**
 * Rows of results, each beside its budget from DESIGN.md ("Performance budgets") and, where it
 * compares, the ratio measured in the same run. Budgets are reported, never asserted: a figure
 * over budget is marked MISS, and the run still succeeds.
 */
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { availableParallelism, freemem, loadavg, release, totalmem } from "node:os";
import { dirname } from "node:path";

export interface Budget {
  /** As written in DESIGN.md, e.g. `≥ 0.75 × raw node-pty`. */
  text: string;
  /** The value must be at most this (absolute budgets). */
  max?: number;
  /** The value must be at least this. */
  min?: number;
  /** A ratio to another figure of the same run, with an optional lower bound. */
  ratio?: { value: number; of: string; min?: number; max?: number };
}

export interface Row {
  suite: string;
  measure: string;
  value: number | null;
  unit: string;
  budget: string;
  /** Ratio and/or `ok` / `MISS`; empty when there is nothing to compare with. */
  verdict: string;
  /** null when the figure has no budget. */
  withinBudget: boolean | null;
  ratio?: { value: number; of: string };
  note?: string;
}

export function row(
  suite: string,
  measure: string,
  value: number | null,
  unit: string,
  budget?: Budget,
  note?: string,
): Row {
  let within: boolean | null = null;
  const parts: string[] = [];
  if (budget?.ratio) {
    const { value: ratio, of, min, max } = budget.ratio;
    parts.push(`${ratio.toFixed(2)}× ${of}`);
    if (min !== undefined) within = ratio >= min;
    if (max !== undefined) within = (within ?? true) && ratio <= max;
  }
  if (value !== null && budget?.max !== undefined) within = (within ?? true) && value <= budget.max;
  if (value !== null && budget?.min !== undefined) within = (within ?? true) && value >= budget.min;
  if (value === null || !Number.isFinite(value)) within = budget?.text ? false : null;
  if (within !== null) parts.push(within ? "ok" : "MISS");
  return {
    suite,
    measure,
    value,
    unit,
    budget: budget?.text ?? "—",
    verdict: parts.join(" "),
    withinBudget: within,
    ...(budget?.ratio ? { ratio: { value: budget.ratio.value, of: budget.ratio.of } } : {}),
    ...(note ? { note } : {}),
  };
}

export function formatValue(value: number | null, unit: string): string {
  if (value === null || !Number.isFinite(value)) return "n/a";
  const digits = Math.abs(value) >= 100 ? 0 : Math.abs(value) >= 10 ? 1 : 2;
  const text = value.toLocaleString("en-US", {
    maximumFractionDigits: digits,
    minimumFractionDigits: digits,
  });
  return `${text} ${unit}`;
}

/** Plain text table (stdout). */
export function textTable(rows: readonly Row[]): string {
  const cells = rows.map((r) => [r.measure, formatValue(r.value, r.unit), r.budget, r.verdict]);
  const head = ["measure", "value", "budget", "ratio / ok"];
  const widths = head.map((h, i) => Math.max(h.length, ...cells.map((c) => (c[i] as string).length)));
  const line = (c: string[]) => c.map((text, i) => text.padEnd(widths[i] as number)).join(" | ");
  const out = [line(head), widths.map((w) => "-".repeat(w)).join("-+-")];
  let suite = "";
  for (const [i, r] of rows.entries()) {
    if (r.suite !== suite) {
      suite = r.suite;
      out.push(`[${suite}]`);
    }
    out.push(line(cells[i] as string[]));
  }
  return out.join("\n");
}

/** The same table in Markdown (docs/BENCHMARKS.md). */
export function markdownTable(rows: readonly Row[]): string {
  const out = ["| suite | measure | value | budget | ratio / ok |", "| --- | --- | ---: | --- | --- |"];
  for (const r of rows) {
    out.push(`| ${r.suite} | ${r.measure} | ${formatValue(r.value, r.unit)} | ${r.budget} | ${r.verdict} |`);
  }
  return out.join("\n");
}

export interface Machine {
  cpus: number;
  cpuModel: string;
  memTotal: string;
  memFree: string;
  node: string;
  kernel: string;
  tmux: string | null;
  /** 1-minute load average when the run ended: other work on the machine skews every figure. */
  loadAverage: number;
}

export function machine(): Machine {
  let cpuModel = "unknown";
  try {
    cpuModel = /model name\s*:\s*(.*)/.exec(readFileSync("/proc/cpuinfo", "utf8"))?.[1]?.trim() ?? cpuModel;
  } catch {
    // Not Linux: keep "unknown".
  }
  return {
    cpus: availableParallelism(),
    cpuModel,
    memTotal: `${(totalmem() / 2 ** 30).toFixed(1)} GiB`,
    memFree: `${(freemem() / 2 ** 30).toFixed(1)} GiB`,
    node: process.version,
    kernel: release(),
    tmux: tmuxVersion(),
    loadAverage: Math.round((loadavg()[0] ?? 0) * 100) / 100,
  };
}

export function tmuxVersion(): string | null {
  try {
    return execFileSync("tmux", ["-V"], { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] }).trim();
  } catch {
    return null;
  }
}

export interface Results {
  mode: "quick" | "full";
  startedAt: string;
  durationS: number;
  machine: Machine;
  rows: Row[];
  failures: { suite: string; error: string }[];
  notes: string[];
}

export function writeResults(file: string, results: Results): void {
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
}
