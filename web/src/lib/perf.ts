/**
 * Switch-to-session timing: from the user's request until the session's current screen is
 * parsed and painted. Recorded as `performance.measure("dispatch:switch")` and exposed on
 * `window.__dispatchPerf` for tests and benchmarks (which report it; they never assert it).
 */

export interface SwitchTiming {
  session: string;
  ms: number;
  /** True when the terminal had to be created and attached (first open, or after reload). */
  cold: boolean;
}

export interface PerfReport {
  lastSwitchMs: number | null;
  last: SwitchTiming | null;
  switches: SwitchTiming[];
  /** Key to echo on screen (ms), newest last: from the keydown to the paint of the next output. */
  echoes: number[];
  /** The same, up to xterm having parsed that output (what a terminal client has received). */
  echoesParsed: number[];
}

declare global {
  interface Window {
    __dispatchPerf?: PerfReport;
  }
}

const KEEP_TIMINGS = 100;
const KEEP_ECHOES = 5000;
const START_MARK = "dispatch:switch-start";

const report: PerfReport = { lastSwitchMs: null, last: null, switches: [], echoes: [], echoesParsed: [] };
let pending: { session: string; cold: boolean; token: number } | null = null;
let tokens = 0;

export function exposePerf(): void {
  window.__dispatchPerf = report;
}

/** Starts timing a switch; a newer switch supersedes an unfinished one. Returns its token. */
export function beginSwitch(session: string, cold: boolean): number {
  performance.clearMarks(START_MARK);
  performance.mark(START_MARK, { detail: { session } });
  pending = { session, cold, token: ++tokens };
  return pending.token;
}

export function endSwitch(token: number): void {
  if (!pending || pending.token !== token) return;
  const { session, cold } = pending;
  pending = null;
  const measure = performance.measure("dispatch:switch", { start: START_MARK, detail: { session, cold } });
  const timing = { session, ms: Math.round(measure.duration * 100) / 100, cold };
  report.lastSwitchMs = timing.ms;
  report.last = timing;
  report.switches.push(timing);
  if (report.switches.length > KEEP_TIMINGS) report.switches.shift();
  performance.clearMeasures("dispatch:switch");
}

/**
 * A key was pressed at `keyAt` (the event's timeStamp) and output that followed it was just
 * parsed: the echo time is taken once that output is painted (`performance.measure
 * "dispatch:echo"`).
 */
export function echoParsed(keyAt: number): void {
  report.echoesParsed.push(Math.round((performance.now() - keyAt) * 100) / 100);
  if (report.echoesParsed.length > KEEP_ECHOES) report.echoesParsed.shift();
  void afterPaint().then(() => {
    const measure = performance.measure("dispatch:echo", { start: keyAt });
    report.echoes.push(Math.round(measure.duration * 100) / 100);
    if (report.echoes.length > KEEP_ECHOES) report.echoes.shift();
    performance.clearMeasures("dispatch:echo");
  });
}

/** Resolves after the next paint: a frame, then a task, so the frame has reached the screen. */
export function afterPaint(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
}
