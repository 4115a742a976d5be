/**
 * What the kernel process uses, for `stats`: memory now, CPU time so far, and its CPU share
 * since the previous look, so a kernel busy a minute ago does not look busy now.
 */
import { cpuSeconds, residentBytes } from "../jupyter/processInfo.js";

export interface Usage {
  rss: number | null;
  cpuSeconds: number | null;
  cpuPercent: number | null;
}

export class ProcessUsage {
  /** When the current kernel process started; null before the first one has. */
  startedAt: number | null = null;
  private cpuSample: { at: number; seconds: number } | undefined;

  /** A fresh kernel process: its CPU share counts from now. */
  started(at = Date.now()): void {
    this.startedAt = at;
    this.cpuSample = undefined;
  }

  /** The process's figures (all null without a live pid), and remembers this look. */
  sample(pid: number | null, now = Date.now()): Usage {
    const cpu = pid ? cpuSeconds(pid) : null;
    // CPU share since the previous look (or since the kernel started): what it does lately.
    const since =
      this.cpuSample ?? (this.startedAt !== null ? { at: this.startedAt, seconds: 0 } : undefined);
    const cpuPercent =
      cpu !== null && since && now > since.at
        ? Math.max(0, Math.round(((cpu - since.seconds) / ((now - since.at) / 1000)) * 1000) / 10)
        : null;
    if (cpu !== null) this.cpuSample = { at: now, seconds: cpu };
    return { rss: pid ? residentBytes(pid) : null, cpuSeconds: cpu, cpuPercent };
  }
}
