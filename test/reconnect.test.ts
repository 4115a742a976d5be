/**
 * Self-healing clients: `dispatch logs --follow` keeps going through a hub restart
 * (`dispatch stop` / `start`) and a SIGKILL of the hub, saying that it reconnects, and writes
 * every one of 20,000 lines exactly once, in order.
 */
import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, type RunningCli, runningCli, startHub, waitFor } from "./harness.js";

const LINES = 20_000;
let hub: HubHandle;
const children = new Set<ChildProcess>();

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await cleanupAll();
});

/**
 * A session printing `line-1` … `line-N`, then exiting: a little at a time, so it is still
 * printing through both restarts, and at full speed once `fast` exists (the restarts are over;
 * paced to the end, it took 40 s).
 */
async function printer(name: string, fast: string): Promise<void> {
  const perl = `$| = 1; for my $i (1..${LINES}) { print "line-$i\\n"; select(undef, undef, undef, 0.02) if $i % 10 == 0 && !-e "${fast}" }`;
  const created = await hub.cli(["new", "--name", name, "--", "perl", "-e", perl]);
  expect(created.code, created.stderr).toBe(0);
}

function follow(name: string): RunningCli {
  return runningCli(hub, ["logs", name, "--follow"], children);
}

const lineCount = (text: string) => (text.match(/\n/g) ?? []).length;

describe("logs --follow across hub restarts", () => {
  it("writes every line exactly once through a stop/start and a SIGKILL of the hub", async () => {
    const fast = join(hub.home, "fast");
    await printer("counter", fast);
    const follower = follow("counter");
    await waitFor(() => lineCount(follower.out()) >= 2000, { timeoutMs: 60_000, message: "2000 lines" });

    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => follower.err().includes("reconnecting"), {
      message: "the follower to say reconnecting",
    });
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    await waitFor(() => follower.err().includes("reconnected"), {
      timeoutMs: 30_000,
      message: "reconnected",
    });

    const seen = lineCount(follower.out());
    await waitFor(() => lineCount(follower.out()) >= seen + 1000, {
      timeoutMs: 60_000,
      message: "more lines",
    });
    process.kill(hub.pids().hub as number, "SIGKILL");
    await waitFor(() => follower.err().split("reconnecting").length >= 3, {
      message: "the follower to say reconnecting again",
    });
    const again = await hub.cli(["start", "--port", String(hub.port)]);
    expect(again.code, again.stderr).toBe(0);
    writeFileSync(fast, "");

    const code = await follower.exit;
    expect(code, follower.err()).toBe(0);
    const lines = follower
      .out()
      .split(/\r?\n/)
      .filter((line) => line.length > 0);
    const expected = Array.from({ length: LINES }, (_, i) => `line-${i + 1}`);
    expect(lines.length).toBe(LINES);
    expect(lines).toEqual(expected);
  }, 240_000);
});
