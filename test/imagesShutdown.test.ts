/**
 * Shutting down a real kernel (Debian's ipykernel and xeus-python) that waits in a cell's
 * `input()`: both answer `shutdown_request` at once but exit only when the cell ends, so a
 * shutdown that waited for the exit sat out its whole grace before its SIGKILL (a restart of a
 * busy image took 3 s). Told the kernel is busy, `shutdown` kills it once it has answered. The
 * grace here is ten minutes: waiting it out fails the test on the test's own deadline. An idle
 * kernel still exits by itself, with code 0.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { Kernel } from "../src/host/runtimes/jupyter/Kernel.js";
import { findKernelSpec } from "../src/host/runtimes/jupyter/kernelspecs.js";

const root = mkdtempSync(join(tmpdir(), "kernel-shutdown-"));
const started: Kernel[] = [];
afterAll(() => {
  for (const kernel of started) kernel.close();
  rmSync(root, { recursive: true, force: true });
});

const NEVER = 10 * 60_000;

async function start(
  name: string,
): Promise<{ kernel: Kernel; asked: Promise<void>; exit: Promise<unknown> }> {
  let asked: () => void = () => undefined;
  const prompted = new Promise<void>((resolve) => {
    asked = resolve;
  });
  const kernel = await Kernel.start({
    spec: findKernelSpec(name, process.env),
    id: `${name}-${started.length}`,
    cwd: root,
    env: {},
    runDir: join(root, "run"),
    handlers: {
      onIopub: () => undefined,
      onExit: () => undefined,
      onProcessOutput: () => undefined,
      onHealth: () => undefined,
      onUnresponsive: () => undefined,
      onInputRequest: () => asked(),
      onDropped: () => undefined,
    },
  });
  started.push(kernel);
  const child = (kernel as unknown as { child: import("node:child_process").ChildProcess }).child;
  const exit = new Promise((resolve) => child.once("exit", (code, signal) => resolve({ code, signal })));
  return { kernel, asked: prompted, exit };
}

describe.each(["python3", "xpython"])("shutting down %s", (name) => {
  it("waiting in input(): ends once the kernel has answered, not after the grace", async () => {
    const { kernel, asked, exit } = await start(name);
    void kernel
      .request("shell", "execute_request", {
        code: "input('name? ')",
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: true,
        stop_on_error: true,
      })
      .reply.catch(() => undefined);
    await asked;
    await kernel.shutdown({ graceMs: NEVER, busy: true });
    expect(kernel.isAlive).toBe(false);
    expect(await exit).toEqual({ code: null, signal: "SIGKILL" });
  });

  it("idle: exits by itself", async () => {
    const { kernel, exit } = await start(name);
    await kernel.shutdown({ graceMs: NEVER });
    expect(await exit).toEqual({ code: 0, signal: null });
  });
});
