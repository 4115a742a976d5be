import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { kernelDir, newConnection, removeConnectionFile, writeConnectionFile } from "./connection.js";
import { findOrphanKernels, sweepOrphanKernels } from "./orphans.js";

const started: ChildProcess[] = [];
const dirs: string[] = [];

afterEach(() => {
  for (const child of started.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function runDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-orphans-"));
  dirs.push(dir);
  mkdirSync(kernelDir(dir), { recursive: true });
  return dir;
}

/** A process whose command line names `file`, as a kernel's names its connection file. */
async function fakeKernel(file: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ["-e", "setInterval(() => {}, 1000)", "--", "-f", file], {
    stdio: "ignore",
  });
  started.push(child);
  // After `spawn` the new program runs (its command line is the one /proc shows).
  await once(child, "spawn");
  return child;
}

describe("orphaned kernels", () => {
  it("finds processes and files no kernel of this process holds, and removes them", async () => {
    const dir = runDir();
    const file = join(kernelDir(dir), "kernel-gone1-1.json");
    writeFileSync(file, JSON.stringify({ kernel_name: "xpython" }));
    const stale = join(kernelDir(dir), "kernel-gone2-2.json");
    writeFileSync(stale, "{}");
    const orphan = await fakeKernel(file);
    const exited = new Promise((resolve) => orphan.once("exit", resolve));

    const found = findOrphanKernels(dir);
    expect(found).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ pid: orphan.pid, session: "gone1", name: "xpython", path: file }),
        expect.objectContaining({
          pid: null,
          session: "gone2",
          description: "connection file kernel-gone2-2.json",
        }),
      ]),
    );
    expect(found).toHaveLength(2);

    const swept = await sweepOrphanKernels({ runDir: dir, clean: true });
    expect(swept).toHaveLength(2);
    await exited;
    expect(existsSync(file)).toBe(false);
    expect(existsSync(stale)).toBe(false);
    expect(findOrphanKernels(dir)).toEqual([]);
  });

  it("leaves alone the connection files (and their processes) this process holds", async () => {
    const dir = runDir();
    const file = writeConnectionFile(await newConnection("python3"), { id: "live", runDir: dir });
    const kernel = await fakeKernel(file);
    expect(findOrphanKernels(dir)).toEqual([]);
    await sweepOrphanKernels({ runDir: dir, clean: true });
    expect(existsSync(file)).toBe(true);
    expect(kernel.exitCode).toBeNull();
    // Once let go, it is an orphan like any other.
    removeConnectionFile(file);
    writeFileSync(file, "{}");
    expect(findOrphanKernels(dir).map((o) => o.pid)).toEqual([kernel.pid]);
  });
});
