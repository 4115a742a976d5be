/**
 * The hub's background workers (screen emulator, search indexer) start at low priority before
 * their own module loads (`src/platform/backgroundWorker.ts`).
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type * as BackgroundWorker from "../src/platform/backgroundWorker.js";
import { BACKGROUND_NICE } from "../src/platform/threadPriority.js";
import { REPO_ROOT } from "./cliProcess.js";

/**
 * The built module: the worker's first module is the entry file beside it, which only the build
 * emits (as the hub runs it, from dist/).
 */
const { startBackgroundWorker } = (await import(
  pathToFileURL(join(REPO_ROOT, "dist/src/platform/backgroundWorker.js")).href
)) as typeof BackgroundWorker;

const dir = mkdtempSync(join(tmpdir(), "dispatch-bg-worker-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The calling thread's nice value (field 19 of its /proc `stat`). */
function niceOfThisThread(): number {
  const stat = readFileSync("/proc/thread-self/stat", "utf8");
  return Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
}

describe("startBackgroundWorker", () => {
  it("runs the worker's module at low priority from its first line, and leaves the caller's thread as it was", async () => {
    const before = niceOfThisThread();
    const module = join(dir, "reportNice.mjs");
    writeFileSync(
      module,
      `import { readFileSync } from "node:fs";
       import { parentPort, workerData } from "node:worker_threads";
       const stat = readFileSync("/proc/thread-self/stat", "utf8");
       const nice = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[16]);
       parentPort.postMessage({ nice, workerData });`,
    );
    const worker = startBackgroundWorker(pathToFileURL(module), { workerData: { path: "/data/file" } });
    try {
      const reply = await new Promise((resolve, reject) => {
        worker.once("message", resolve);
        worker.once("error", reject);
      });
      expect(reply).toEqual({ nice: Math.max(before, BACKGROUND_NICE), workerData: { path: "/data/file" } });
    } finally {
      await worker.terminate();
    }
    expect(niceOfThisThread()).toBe(before);
  });
});
