/**
 * Installs a scripted kernel (a Node script speaking the Jupyter wire protocol with the
 * project's own `zeromq`) as kernelspec `name` under `jupyterPath`: for what a real kernel
 * cannot be made to do on demand (queue a flood faster than it is read, lose a cell's idle).
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

export function installScriptedKernel(
  jupyterPath: string,
  name: string,
  script: string,
  env: Record<string, string> = {},
): void {
  const dir = join(jupyterPath, "kernels", name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "kernel.mjs"), script);
  writeFileSync(
    join(dir, "kernel.json"),
    JSON.stringify({
      argv: [process.execPath, join(dir, "kernel.mjs"), "{connection_file}"],
      display_name: name,
      // Not a language with an adapter: no introspection requests of its own.
      language: name,
      env: { ZMQ_PATH: createRequire(import.meta.url).resolve("zeromq"), ...env },
    }),
  );
}
