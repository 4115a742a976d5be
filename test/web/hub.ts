/**
 * A real hub for browser tests, in its own DISPATCH_HOME, driven through the `dispatch` CLI
 * (`start`, `stop`, `stop --all`), so tests exercise the same commands people use.
 */
import { execFile } from "node:child_process";
import { mkdtemp, readFile, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

const BIN = resolve(import.meta.dirname, "../../bin/dispatch.js");

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface TestHub {
  url: string;
  port: number;
  key: string;
  home: string;
  cli(args: string[]): Promise<CliResult>;
  stop(): Promise<void>;
}

const running = new Set<TestHub>();

function runCli(home: string, args: string[]): Promise<CliResult> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [BIN, ...args],
      { env: { ...process.env, DISPATCH_HOME: home, DISPATCH_KEY: undefined }, timeout: 30_000 },
      (err, stdout, stderr) => {
        const code = err ? (typeof err.code === "number" ? err.code : 1) : 0;
        done({ code, stdout, stderr });
      },
    );
  });
}

export async function startHub(): Promise<TestHub> {
  const home = await mkdtemp(join(tmpdir(), "dispatch-web-"));
  const started = await runCli(home, ["start", "--port", "0"]);
  if (started.code !== 0) throw new Error(`dispatch start failed: ${started.stderr || started.stdout}`);
  const info = JSON.parse(await readFile(join(home, "hub.json"), "utf8")) as { url: string; port: number };
  const key = (await readFile(join(home, "access.key"), "utf8")).trim();
  const hub: TestHub = {
    url: info.url,
    port: info.port,
    key,
    home,
    cli: (args) => runCli(home, args),
    stop: async () => {
      running.delete(hub);
      await runCli(home, ["stop", "--all"]);
      await rm(home, { recursive: true, force: true });
    },
  };
  running.add(hub);
  return hub;
}

/** Stops every hub this process started (afterAll safety net). */
export async function stopAllHubs(): Promise<void> {
  await Promise.all([...running].map((hub) => hub.stop()));
}
