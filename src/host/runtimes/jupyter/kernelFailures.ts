/**
 * Why a kernel's process failed, in words for the person who sees it: how it ended, or why its
 * kernelspec's program did not run, with what to do.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DispatchError } from "../../../core/errors.js";
import type { KernelSpec } from "./kernelspecs.js";

/**
 * Why the kernelspec's program did not run, and what to do: its argv is the spec's own, so a
 * missing or unrunnable program is fixed in the kernel.json named (or by installing the kernel).
 * A missing working directory fails the same way (ENOENT), and is said apart.
 */
export function spawnFailure(spec: KernelSpec, cwd: string, err: NodeJS.ErrnoException): DispatchError {
  if (err.code === "ENOENT" && !existsSync(cwd))
    return new DispatchError(
      "internal",
      `kernel '${spec.name}' could not start: its working directory ${cwd} does not exist; create it, or start the image in another directory`,
    );
  const program = spec.argv[0] ?? "";
  const file = join(spec.dir, "kernel.json");
  const what =
    err.code === "ENOENT"
      ? `its program ${program} does not exist`
      : err.code === "EACCES"
        ? `its program ${program} cannot be run (permission denied)`
        : err.message;
  return new DispatchError(
    "internal",
    `kernel '${spec.name}' could not start: ${what}; install the kernel or correct argv in ${file}, then \`dispatch revive\``,
  );
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exited with code ${code}`;
}
