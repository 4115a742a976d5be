/**
 * No output lost at the end: a program that prints megabytes while the hub is not reading (its
 * PTY paused by flow control) and exits with its last line still in the PTY has that line
 * stored, before its exit, once the hub reads again.
 */
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../src/platform/processAlive.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let dir: string;
let stoppedHub: number | undefined;

beforeAll(async () => {
  hub = await startHub();
  dir = mkdtempSync(join(tmpdir(), "dispatch-paused-exit-"));
});

afterAll(async () => {
  if (stoppedHub !== undefined) {
    try {
      process.kill(stoppedHub, "SIGCONT");
    } catch {
      // Already gone.
    }
  }
  await cleanupAll();
  rmSync(dir, { recursive: true, force: true });
});

describe("a session that ends while its PTY is paused", () => {
  it("keeps its last line, stored before its exit", async () => {
    // Just past the host's 4 MiB high-water mark (the PTY holds the rest), so with the hub
    // stopped the PTY is paused once the bulk is read; then
    // a last line that fits in the PTY's buffer, written while paused, and the exit.
    const script =
      "until [ -e go ]; do sleep 0.05; done; head -c 4214304 /dev/zero | tr '\\0' x; echo; touch wrote; sleep 1; echo LAST-LINE";
    const created = await hub.cli(["new", "--name", "burst", "--cwd", dir, "--", "sh", "-c", script]);
    expect(created.code, created.stderr).toBe(0);
    const listed = JSON.parse((await hub.cli(["ls", "--json"])).stdout) as { name: string; pid: number }[];
    const pid = listed.find((s) => s.name === "burst")?.pid as number;
    expect(pid).toBeGreaterThan(0);

    stoppedHub = hub.pids().hub as number;
    process.kill(stoppedHub, "SIGSTOP");
    writeFileSync(join(dir, "go"), "");
    await waitFor(() => existsSync(join(dir, "wrote")), { timeoutMs: 60_000, message: "the bulk written" });
    await waitFor(() => !isAlive(pid), { timeoutMs: 30_000, message: "the program to exit" });
    process.kill(stoppedHub, "SIGCONT");
    stoppedHub = undefined;

    const session = await waitFor(
      async () => {
        const response = await hub.api("/api/sessions/burst");
        const body = (await response.json()) as { session: { status: string; lastSeq: number } };
        return body.session.status === "exited" ? body.session : undefined;
      },
      { timeoutMs: 60_000, message: "the exit stored" },
    );
    const logs = await hub.cli(["logs", "burst"]);
    expect(logs.code, logs.stderr).toBe(0);
    expect(logs.stdout.trimEnd().endsWith("LAST-LINE")).toBe(true);
    expect(logs.stdout.split("x").length - 1).toBe(4_214_304);
    const last = await hub
      .api(`/api/sessions/burst/events?after=${session.lastSeq - 1}`)
      .then((r) => r.json());
    expect(last.events.at(-1)).toMatchObject({ type: "exit" });
  }, 180_000);
});
