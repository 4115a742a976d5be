/**
 * `dispatch serve` (what `npm start` runs) in a real PTY: Ctrl-C stops the hub and says that
 * sessions keep running and how to end them, and the session is indeed still there afterwards.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type IPty, spawn } from "node-pty";
import { afterAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, REPO_ROOT, runCli, waitFor } from "./harness.js";

const home = mkdtempSync(join(tmpdir(), "dispatch-serve-"));
const env = cleanEnv({ DISPATCH_HOME: home, HOME: home, DISPATCH_PORT: "0" });
let pty: IPty | undefined;

afterAll(async () => {
  try {
    pty?.kill("SIGKILL");
  } catch {
    // Already exited.
  }
  await runCli(["stop", "--all"], env, { timeoutMs: 20_000 }).catch(() => undefined);
  rmSync(home, { recursive: true, force: true });
});

describe("dispatch serve in the foreground", () => {
  it("Ctrl-C says sessions keep running and how to stop them", async () => {
    const term = spawn(process.execPath, [BIN, "serve", "--port", "0"], {
      name: "xterm-256color",
      cols: 200,
      rows: 30,
      cwd: REPO_ROOT,
      env,
    });
    pty = term;
    let text = "";
    term.onData((data) => {
      text += data;
    });
    const exited = new Promise<number>((resolve) => term.onExit(({ exitCode }) => resolve(exitCode)));
    await waitFor(() => text.includes("hub listening"), { timeoutMs: 30_000, message: "the hub to listen" });
    const created = await runCli(["new", "--name", "keeper", "--", "sleep", "600"], env);
    expect(created.code, created.stderr).toBe(0);

    term.write("\x03");
    expect(await exited).toBe(0);
    expect(text).toContain("your sessions keep running");
    expect(text).toContain("dispatch stop --all");
    // The host (and the session in it) outlives the hub.
    const hostPid = Number(readFileSync(join(home, "host.pid"), "utf8").trim());
    expect(() => process.kill(hostPid, 0)).not.toThrow();
  }, 60_000);
});
