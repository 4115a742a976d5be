/**
 * The few Prometheus metric types the hub records itself, and their text exposition format
 * (https://prometheus.io/docs/instrumenting/exposition_formats/). prom-client, with its
 * OpenTelemetry API, was evaluated at every start-up for samples a scraper may never ask for
 * (with glob, ~0.6 MB of an idle hub's live heap); it is loaded with the first scrape now, for
 * the process's own metrics (`processMetrics.ts`; docs/BENCHMARKS.md, "Memory: idle hub and host").
 */

export const CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

export type Labels = Readonly<Record<string, string>>;

/** A sample: its labels and its value. */
export type Sample = readonly [Labels, number];

/** One metric's lines: HELP, TYPE, then a line for each of its samples. */
export function metricLines(
  name: string,
  help: string,
  type: "counter" | "gauge",
  samples: readonly Sample[],
): string[] {
  return headLines(
    name,
    help,
    type,
    samples.map(([labels, value]) => sampleLine(name, labels, value)),
  );
}

function headLines(name: string, help: string, type: string, lines: string[]): string[] {
  return [
    `# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`,
    `# TYPE ${name} ${type}`,
    ...lines,
  ];
}

/** `name{a="x",b="y"} value`; `name value` without labels. */
function sampleLine(name: string, labels: Labels, value: number): string {
  const pairs = Object.entries(labels).map(([key, label]) => `${key}="${escapeLabel(label)}"`);
  return `${name}${pairs.length > 0 ? `{${pairs.join(",")}}` : ""} ${formatValue(value)}`;
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n");
}

function formatValue(value: number): string {
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

interface Series {
  labels: Labels;
  /** Observations per bucket (not cumulative); the last is those above every bound. */
  counts: number[];
  sum: number;
  count: number;
}

/** A histogram with fixed bucket bounds, by the value of at most one label. */
export class Histogram {
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly buckets: readonly number[],
    private readonly labelName?: string,
  ) {}

  observe(value: number, label = ""): void {
    let series = this.series.get(label);
    if (!series) {
      series = {
        labels: this.labelName ? { [this.labelName]: label } : {},
        counts: new Array<number>(this.buckets.length + 1).fill(0),
        sum: 0,
        count: 0,
      };
      this.series.set(label, series);
    }
    const bucket = this.buckets.findIndex((bound) => value <= bound);
    series.counts[bucket === -1 ? this.buckets.length : bucket]! += 1;
    series.sum += value;
    series.count += 1;
  }

  lines(): string[] {
    const samples: string[] = [];
    for (const { labels, counts, sum, count } of this.series.values()) {
      let cumulative = 0;
      this.buckets.forEach((bound, i) => {
        cumulative += counts[i] ?? 0;
        samples.push(sampleLine(`${this.name}_bucket`, { le: String(bound), ...labels }, cumulative));
      });
      samples.push(sampleLine(`${this.name}_bucket`, { le: "+Inf", ...labels }, count));
      samples.push(sampleLine(`${this.name}_sum`, labels, sum));
      samples.push(sampleLine(`${this.name}_count`, labels, count));
    }
    return headLines(this.name, this.help, "histogram", samples);
  }
}
