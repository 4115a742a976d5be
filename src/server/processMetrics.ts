/**
 * The hub process's own metrics (memory, CPU, event loop lag, handles: prom-client's defaults),
 * loaded and started with the first scrape: their event-loop monitor wakes the process every
 * 10 ms, 100 times a second in an otherwise idle hub, and an idle hub need not hold prom-client
 * (docs/BENCHMARKS.md, "Memory: idle hub and host").
 */
import { collectDefaultMetrics, Registry } from "prom-client";

export interface ProcessMetrics {
  /** Their samples in the text exposition format, `prefix` before each name. */
  text(): Promise<string>;
}

export function startProcessMetrics(prefix: string): ProcessMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix });
  return { text: () => registry.metrics() };
}
