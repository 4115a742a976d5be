/**
 * Why a kernel's process failed, in words for the person who sees it: how it ended, or why its
 * kernelspec's program did not run, with what to do.
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { DispatchError } from "../../../core/errors.js";
import type { KernelSpec } from "./kernelspecs.js";

/**
 * A kernel that could not start: what went wrong and what to fix. Whoever knows the session
 * (its name, its kind's `revivedAs`) adds how to start it again once fixed (`withRevive`):
 * `Kernel` does not.
 */
export class KernelStartFailure extends DispatchError {
  // By prototype: `DispatchError`'s own check, inherited, would take every DispatchError for one.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return Function.prototype[Symbol.hasInstance].call(KernelStartFailure, value);
  }

  constructor(
    readonly problem: string,
    readonly fix: string,
  ) {
    super("internal", `${problem}; ${fix}`);
  }

  /** The same failure, ending with what to type once it is fixed (`reviveAdvice`). */
  withRevive(advice: string): DispatchError {
    return new DispatchError(this.code, `${this.problem}; ${this.fix}, then ${advice}`);
  }
}

/**
 * Why the kernelspec's program did not run, and what to do: its argv is the spec's own, so a
 * missing or unrunnable program is fixed in the kernel.json named (or by installing the kernel).
 * A missing working directory fails the same way (ENOENT), and is said apart.
 */
export function spawnFailure(spec: KernelSpec, cwd: string, err: NodeJS.ErrnoException): KernelStartFailure {
  const cannot = `kernel '${spec.name}' could not start`;
  if (err.code === "ENOENT" && !existsSync(cwd))
    return new KernelStartFailure(
      `${cannot}: its working directory ${cwd} does not exist`,
      "create it (or start a new image in another directory)",
    );
  const program = spec.argv[0] ?? "";
  const file = join(spec.dir, "kernel.json");
  const what =
    err.code === "ENOENT"
      ? `its program ${program} does not exist`
      : err.code === "EACCES"
        ? `its program ${program} cannot be run (permission denied)`
        : err.message;
  return new KernelStartFailure(`${cannot}: ${what}`, `install the kernel or correct argv in ${file}`);
}

/** Where what the kernel printed while starting is: the image's output (`StartOutput` releases it). */
const ITS_OUTPUT = "the image's output (`dispatch logs`) shows what it printed";

/** The kernel's process ended before it answered: what it printed says why (a traceback, a missing module). */
export function exitedWhileStarting(spec: KernelSpec, how: string): KernelStartFailure {
  return new KernelStartFailure(`kernel '${spec.name}' ${how} while starting`, `${ITS_OUTPUT}: fix that`);
}

/** The kernel runs but did not answer within `waitMs`: wedged while starting, or its host overloaded. */
export function unansweredStart(spec: KernelSpec, waitMs: number): KernelStartFailure {
  return new KernelStartFailure(
    `kernel '${spec.name}' did not answer within ${waitMs / 1000} s`,
    `${ITS_OUTPUT}; check that the kernel starts outside dispatch (argv in ${join(spec.dir, "kernel.json")}) and that its host is not overloaded`,
  );
}

export function describeExit(code: number | null, signal: NodeJS.Signals | null): string {
  if (signal) return `killed by ${signal}`;
  return `exited with code ${code}`;
}
