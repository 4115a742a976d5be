/** A child process whose answer is the JSON it prints on stdout (a benchmark's helper process). */
import { spawn } from "node:child_process";

/**
 * Runs `file args` and parses what it prints; rejects with `what` and the end of its stderr
 * when it fails. `stdin: "pipe"` keeps a pipe open to the child for its life: a child that
 * exits when it closes goes away with this process.
 */
export function childJson<T>(
  what: string,
  file: string,
  args: string[],
  options: { stdin?: "ignore" | "pipe" } = {},
): Promise<T> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, { stdio: [options.stdin ?? "ignore", "pipe", "pipe"] });
    if (!child.stdout || !child.stderr) throw new Error(`${what}: no pipes to read`);
    let out = "";
    let err = "";
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    child.stderr.on("data", (chunk: Buffer) => {
      err += chunk.toString();
    });
    child.on("error", reject);
    child.on("exit", (code, signal) => {
      if (code === 0) resolve(JSON.parse(out) as T);
      else reject(new Error(`${what} failed (${signal ?? `code ${code}`}): ${err.slice(-500).trim()}`));
    });
  });
}
