/**
 * A kernel whose kernelspec cannot start: the error says which program or directory is missing
 * and what to do, and nothing of the attempt stays behind (its connection file). No kernel runs:
 * the spawn itself fails. (Kernels that run are in test/images*.test.ts.)
 */
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Kernel } from "./Kernel.js";
import { findKernelSpec } from "./kernelspecs.js";

const root = mkdtempSync(join(tmpdir(), "kernel-start-"));
const runDir = join(root, "run");
mkdirSync(join(root, "kernels", "missing"), { recursive: true });
writeFileSync(
  join(root, "kernels", "missing", "kernel.json"),
  JSON.stringify({
    argv: [join(root, "no-such-kernel"), "-f", "{connection_file}"],
    display_name: "Missing",
    language: "python",
  }),
);
const spec = findKernelSpec("missing", { JUPYTER_PATH: root, HOME: root });

afterAll(() => rmSync(root, { recursive: true, force: true }));

const noHandlers = {
  onIopub: () => undefined,
  onExit: () => undefined,
  onProcessOutput: () => undefined,
  onHealth: () => undefined,
  onUnresponsive: () => undefined,
  onInputRequest: () => undefined,
  onDropped: () => undefined,
};

const start = (cwd: string) => Kernel.start({ spec, id: "k", cwd, env: {}, runDir, handlers: noHandlers });

describe("a kernel that cannot start", () => {
  it("names the kernelspec's missing program and its kernel.json, and leaves no connection file", async () => {
    await expect(start(root)).rejects.toThrow(
      `kernel 'missing' could not start: its program ${join(root, "no-such-kernel")} does not exist; install the kernel or correct argv in ${join(root, "kernels", "missing", "kernel.json")}`,
    );
    expect(readdirSync(join(runDir, "kernels"))).toEqual([]);
  });

  it("says the working directory is missing, not the program", async () => {
    const gone = join(root, "gone");
    await expect(start(gone)).rejects.toThrow(
      `kernel 'missing' could not start: its working directory ${gone} does not exist`,
    );
  });
});
