/**
 * Installed kernelspecs, found where `jupyter kernelspec list` looks: each `JUPYTER_PATH`
 * entry's `kernels/`, the user's `~/.local/share/jupyter/kernels`, then
 * `/usr/local/share/jupyter/kernels` and `/usr/share/jupyter/kernels` (first one wins).
 * A kernel is started from its spec's own argv, never from whatever `python3` is on PATH.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { z } from "zod";
import { DispatchError } from "../../../core/errors.js";
import { unknownNameMessage } from "../../../core/names.js";
import type { KernelSpecInfo } from "../../../protocol/workspace/commands.js";

const KernelJson = z.object({
  argv: z.array(z.string()).min(1),
  display_name: z.string(),
  language: z.string(),
  interrupt_mode: z.enum(["signal", "message"]).default("signal"),
  env: z.record(z.string(), z.string()).optional(),
});

export interface KernelSpec extends KernelSpecInfo {
  env: Record<string, string>;
}

export function kernelDirs(env: Record<string, string | undefined> = process.env): string[] {
  const fromPath = (env.JUPYTER_PATH ?? "")
    .split(":")
    .filter((dir) => dir.length > 0)
    .map((dir) => join(dir, "kernels"));
  const dataHome = env.XDG_DATA_HOME || join(env.HOME || homedir(), ".local", "share");
  return [
    ...fromPath,
    join(dataHome, "jupyter", "kernels"),
    "/usr/local/share/jupyter/kernels",
    "/usr/share/jupyter/kernels",
  ];
}

/** Every readable kernelspec, by name; broken ones are skipped. */
export function listKernelSpecs(env?: Record<string, string | undefined>): KernelSpec[] {
  const found = new Map<string, KernelSpec>();
  for (const dir of kernelDirs(env)) {
    if (!existsSync(dir)) continue;
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      continue;
    }
    for (const name of names.sort()) {
      if (found.has(name)) continue;
      const spec = readSpec(join(dir, name), name);
      if (spec) found.set(name, spec);
    }
  }
  return [...found.values()];
}

function readSpec(dir: string, name: string): KernelSpec | undefined {
  try {
    const parsed = KernelJson.safeParse(JSON.parse(readFileSync(join(dir, "kernel.json"), "utf8")));
    if (!parsed.success) return undefined;
    const { argv, display_name, language, interrupt_mode, env } = parsed.data;
    return {
      name,
      displayName: display_name,
      language,
      argv,
      interruptMode: interrupt_mode,
      dir,
      env: env ?? {},
    };
  } catch {
    return undefined;
  }
}

/** The kernelspec of that name, or a `bad_request` with a did-you-mean and the installed ones. */
export function findKernelSpec(name: string, env?: Record<string, string | undefined>): KernelSpec {
  const specs = listKernelSpecs(env);
  const spec = specs.find((candidate) => candidate.name === name);
  if (spec) return spec;
  const names = specs.map((candidate) => candidate.name);
  const installed = names.length > 0 ? `installed: ${names.join(", ")}` : "no kernelspecs are installed";
  throw new DispatchError("bad_request", `${unknownNameMessage("kernel", name, names)} (${installed})`);
}

/** The spec's argv with `{connection_file}` and `{resource_dir}` filled in. */
export function kernelArgv(spec: KernelSpec, connectionFile: string): string[] {
  return spec.argv.map((arg) =>
    arg.replaceAll("{connection_file}", connectionFile).replaceAll("{resource_dir}", spec.dir),
  );
}

/**
 * Runs the spec's argv for `connectionFile`, its output piped (the host reads it).
 *
 * xeus-python (Debian's 0.14) writes `[XPythonShellApp] WARNING | Unrecognized alias: 'f', it
 * will have no effect.` at every start, into every transcript. Not ours to fix: `xpython` hands
 * its whole argv to the embedded Python (`sys.argv`), and its IPython shell application
 * (`xeus_python_shell/shell.py`, `XPythonShellApp.initialize()` without argv) parses
 * `sys.argv[1:]` as IPython options (`xpython --help` prints IPython's), where `-f`, the
 * connection file its kernelspec passes, is no alias. Only another argv would avoid it, and a
 * kernel starts from its kernelspec's own argv; the line is the kernel's own output, so it is
 * shown as such, not filtered.
 */
export function spawnKernel(
  spec: KernelSpec,
  connectionFile: string,
  where: { cwd: string; env: Record<string, string> },
): ChildProcess {
  const [command, ...args] = kernelArgv(spec, connectionFile) as [string, ...string[]];
  return spawn(command, args, {
    cwd: where.cwd,
    // ipykernel exits by itself when this pid goes; xeus kernels do not (`orphans.ts` finds them).
    // ipykernel's debugger warns at every start on a Python with frozen modules (3.11+), four
    // lines in every transcript; a person's own setting of it wins.
    env: {
      PYDEVD_DISABLE_FILE_VALIDATION: "1",
      ...where.env,
      ...spec.env,
      JPY_PARENT_PID: String(process.pid),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
}
