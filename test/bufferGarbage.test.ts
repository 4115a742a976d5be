/**
 * `buffersPassed` (src/platform/bufferGarbage.ts) in a real Node process started the way the
 * daemons are (`--expose-gc`, a 2 MiB semi-space): a flood of 64 KiB Buffers, each held in a
 * queue long enough to be promoted (as the host holds events until its hub acknowledges them),
 * then dropped. With the collector told about each one, the bytes held stay near what is live;
 * without it, the dead ones pile up. And once a burst is over, what it left is collected then,
 * not when V8's memory reducer comes round to it (tens of seconds later in an idle daemon).
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const MODULE = fileURLToPath(new URL("../dist/src/platform/bufferGarbage.js", import.meta.url));
const MIB = 1024 * 1024;

/** Runs `script` (an ES module) in a Node started as the daemons are; its standard output. */
function runDaemonLike(script: string): string {
  const run = spawnSync(
    process.execPath,
    ["--expose-gc", "--max-semi-space-size=2", "--input-type=module", "-e", script],
    { encoding: "utf8", timeout: 60_000 },
  );
  expect(run.stderr).toBe("");
  expect(run.status).toBe(0);
  return run.stdout;
}

/** The most bytes the process's ArrayBuffers held during a 256 MiB flood. */
function peakHeld(tell: boolean): number {
  const script = `
    import { buffersPassed } from ${JSON.stringify(MODULE)};
    const CHUNK = 64 * 1024;
    const queue = [];
    let peak = 0;
    for (let i = 0; i < 4096; i++) {
      queue.push(Buffer.alloc(CHUNK, i & 0xff));
      // Held across two scavenges, then dropped: promoted, dead in the old generation.
      if (i % 8 === 0) gc({ type: "minor" });
      if (queue.length > 32) queue.shift();
      if (${tell}) buffersPassed(CHUNK);
      peak = Math.max(peak, process.memoryUsage().arrayBuffers);
      // Reads arrive as separate tasks; the collection asked for runs between them.
      await new Promise((resolve) => setImmediate(resolve));
    }
    process.stdout.write(String(peak));
  `;
  return Number(runDaemonLike(script));
}

/**
 * The bytes the process's ArrayBuffers hold after a 12 MiB burst (less than the flood collector
 * waits for) has ended and all of it is dead: read once V8 has run a full collection, or after
 * `waitMs` without one.
 */
function heldAfterBurst(tell: boolean, waitMs: number): { held: number; collected: boolean } {
  const script = `
    import { buffersPassed } from ${JSON.stringify(MODULE)};
    import { PerformanceObserver, constants } from "node:perf_hooks";
    const CHUNK = 64 * 1024;
    let queue = [];
    for (let i = 0; i < 192; i++) {
      queue.push(Buffer.alloc(CHUNK, i & 0xff));
      if (i % 8 === 0) gc({ type: "minor" });
      if (queue.length > 32) queue.shift();
      if (${tell}) buffersPassed(CHUNK);
      await new Promise((resolve) => setImmediate(resolve));
    }
    queue = [];
    gc({ type: "minor" });
    const collected = await new Promise((resolve) => {
      const observer = new PerformanceObserver((list) => {
        if (list.getEntries().some((entry) => entry.detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR)) {
          observer.disconnect();
          resolve(true);
        }
      });
      observer.observe({ entryTypes: ["gc"] });
      setTimeout(() => { observer.disconnect(); resolve(false); }, ${waitMs});
    });
    // V8 frees dead Buffers' bytes on another thread just after the collection.
    let held = process.memoryUsage().arrayBuffers;
    for (let i = 0; i < 20 && held > 2 * 1024 * 1024; i++) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      held = process.memoryUsage().arrayBuffers;
    }
    process.stdout.write(JSON.stringify({ held, collected }));
  `;
  return JSON.parse(runDaemonLike(script)) as { held: number; collected: boolean };
}

describe("buffersPassed", () => {
  it("keeps a flood's dead Buffers from piling up, where V8 alone lets them", () => {
    const alone = peakHeld(false);
    const collected = peakHeld(true);
    // Live: 32 chunks (2 MiB). The collector asks at 16 MiB past that, looking every 4 MiB.
    expect(collected).toBeLessThan(28 * MIB);
    expect(alone).toBeGreaterThan(48 * MIB);
  });

  it("collects what a burst left once it is over, where V8 alone keeps it", () => {
    const alone = heldAfterBurst(false, 5000);
    const collected = heldAfterBurst(true, 5000);
    expect(collected.collected).toBe(true);
    expect(collected.held).toBeLessThan(2 * MIB);
    // The burst's dead Buffers (promoted, 10+ MiB) are all still held without the collector.
    expect(alone.collected).toBe(false);
    expect(alone.held).toBeGreaterThan(8 * MIB);
  });
});
