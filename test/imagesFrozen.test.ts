/**
 * A frozen kernel (its process stopped, so its heartbeat goes unanswered) is detected like a
 * frozen host: after three missed beats the workspace ends as failed with the reason, the
 * stopped process is cleared away, the reason (and `dispatch use`) says what to type by the
 * image's current name, and revive starts a fresh kernel.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isAlive } from "../src/platform/processAlive.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let stopped: number | undefined;

const info = async (name: string) =>
  ((await (await hub.api(`/api/sessions/${name}`)).json()) as { session: Record<string, unknown> })
    .session as {
    status: string;
    reason: string | null;
    options: Record<string, unknown>;
  };

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  if (stopped !== undefined && isAlive(stopped)) process.kill(stopped, "SIGKILL");
  await cleanupAll();
});

describe("a frozen kernel", () => {
  it("is failed within three heartbeats, its process cleared, and revive starts a fresh one", async () => {
    const created = await hub.cli(["new", "--kernel", "python3", "--name", "ice"]);
    expect(created.code, created.stderr).toBe(0);
    await waitFor(async () => (await info("ice")).options.connection === "connected", { timeoutMs: 30_000 });
    const pid = (await info("ice")).options.pid as number;
    expect(pid).toBeGreaterThan(0);

    // Renamed first: what the reason says to type names the image as it is called now.
    const renamed = await hub.cli(["rename", "ice", "glacier"]);
    expect(renamed.code, renamed.stderr).toBe(0);
    stopped = pid;
    process.kill(pid, "SIGSTOP");
    const ended = await waitFor(
      async () => {
        const session = await info("glacier");
        return session.status === "exited" ? session : undefined;
      },
      { timeoutMs: 20_000, message: "the frozen kernel's session ended" },
    );
    expect(ended.reason).toBe(
      "kernel stopped answering its heartbeat (3 missed); `dispatch revive glacier` starts a fresh kernel (`--replay` re-runs the cells that succeeded)",
    );
    expect(ended.options.connection).toBe("failed");
    // The stopped process did not stay behind.
    await waitFor(() => !isAlive(pid), { timeoutMs: 10_000, message: "the frozen kernel was killed" });

    // Switching to it says the same.
    const used = await hub.cli(["use", "glacier"]);
    expect(used.stdout).toBe(
      "now using image glacier (exited right now); `dispatch revive glacier` starts a fresh kernel (`--replay` re-runs the cells that succeeded)\n",
    );

    const revived = await hub.cli(["revive", "glacier"]);
    expect(revived.code, revived.stderr).toBe(0);
    await waitFor(async () => (await info("glacier")).options.connection === "connected", {
      timeoutMs: 30_000,
    });
    const evaluated = await hub.cli(["eval", "glacier", "6*7"]);
    expect(evaluated.stdout.trim()).toBe("42");
  });
});
