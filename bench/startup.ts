/**
 * Hub cold start to healthy, with a fresh DISPATCH_HOME each time: `dispatch start` wall time
 * (it returns once /api/health answers), and from the spawn of `dispatch serve` until
 * /api/health answers. Then `dispatch ls` wall time against a hub with 10 sessions.
 */
import { spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { BenchContext } from "./context.js";
import { BIN, cleanEnv, REPO_ROOT, readPid, runCli, startHub, startTime } from "./hub.js";
import { row } from "./report.js";
import { median, waitUntil } from "./stats.js";

const SUITE = "startup";

export async function startupSuite(ctx: BenchContext): Promise<void> {
  const runs = ctx.quick ? 2 : 5;
  const starts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const hub = await startHub({ env: ctx.hubEnv });
    starts.push(hub.startMs);
    await hub.stop();
  }
  ctx.add(
    row(SUITE, "cold start: `dispatch start` until healthy", median(starts), "ms", undefined, spread(starts)),
  );

  const serves: number[] = [];
  for (let i = 0; i < runs; i++) serves.push(await serveToHealthy(ctx.hubEnv));
  ctx.add(
    row(
      SUITE,
      "cold start: spawn of `serve` until /api/health",
      median(serves),
      "ms",
      undefined,
      spread(serves),
    ),
  );

  const hub = await startHub({ env: ctx.hubEnv });
  try {
    const socket = await hub.socket();
    for (let i = 0; i < 10; i++) await socket.create({ command: ["sleep", "3600"] });
    const times: number[] = [];
    for (let i = 0; i < 10; i++) {
      const result = await hub.cli(["ls"]);
      if (result.code !== 0) throw new Error(`dispatch ls failed (code ${result.code}): ${result.stderr}`);
      times.push(result.ms);
    }
    ctx.add(
      row(
        SUITE,
        "`dispatch ls` wall time, 10 sessions (median of 10)",
        median(times),
        "ms",
        undefined,
        spread(times),
      ),
    );
  } finally {
    await hub.stop();
  }
}

function spread(samples: number[]): string {
  return `${samples.length} runs, min ${Math.min(...samples).toFixed(0)}, max ${Math.max(...samples).toFixed(0)} ms`;
}

/** `dispatch serve --port 0` in the foreground; time until hub.json exists and /api/health answers. */
async function serveToHealthy(hubEnv: Record<string, string>): Promise<number> {
  const home = mkdtempSync(join(tmpdir(), "dispatch-bench-"));
  const env = cleanEnv({ DISPATCH_HOME: home, ...hubEnv });
  const started = performance.now();
  const child = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
    env,
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
  try {
    await waitUntil(
      "serve to answer /api/health",
      async () => {
        if (child.exitCode !== null) throw new Error(`dispatch serve exited with code ${child.exitCode}`);
        let url: string;
        try {
          url = (JSON.parse(readFileSync(join(home, "hub.json"), "utf8")) as { url: string }).url;
        } catch {
          return false;
        }
        const response = await fetch(`${url}/api/health`).catch(() => undefined);
        return response?.ok === true;
      },
      30_000,
      5,
    );
    return performance.now() - started;
  } finally {
    // Stops the serve process (via hub.pid) and the host it started.
    const host = readPid(join(home, "host.pid"));
    await runCli(["stop", "--all"], env, { timeoutMs: 30_000 });
    if (child.exitCode === null) child.kill("SIGKILL");
    if (host !== undefined && startTime(host) !== undefined) process.kill(host, "SIGKILL");
    rmSync(home, { recursive: true, force: true });
  }
}
