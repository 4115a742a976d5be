/**
 * The harness's cleanup signals only processes still its own: not a process that took over a
 * pid it saw (a stale pid file, or a pid reused once the kernel's counter wrapped), even one
 * whose command line says "dispatch" as another test's hub does.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { cleanupAll, startHub, waitFor } from "./harness.js";
import { OwnedProcesses, startTimeOf } from "./ownedProcesses.js";

const children = new Set<ChildProcess>();

/** A long sleep whose command line reads as a dispatch process, in `home` when given. */
function decoy(home?: string): ChildProcess {
  const child = spawn("sleep", ["600"], {
    argv0: "dispatch-host",
    env: { ...process.env, DISPATCH_HOME: home ?? "/nonexistent-dispatch-home" },
    stdio: "ignore",
  });
  children.add(child);
  child.on("exit", () => children.delete(child));
  return child;
}

const ended = (child: ChildProcess) =>
  new Promise<string | null>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve(child.signalCode);
    else child.on("exit", (_code, signal) => resolve(signal));
  });

const running = (child: ChildProcess) => child.exitCode === null && child.signalCode === null;

afterAll(async () => {
  for (const child of children) child.kill("SIGKILL");
  await cleanupAll();
});

describe("the test harness's cleanup", () => {
  it("leaves alone another program's process named by a stale pid file", async () => {
    const hub = await startHub();
    const { host } = hub.pids();
    expect(host).toBeTypeOf("number");
    const other = decoy();
    await waitFor(() => startTimeOf(other.pid as number), { message: "the other process started" });
    // The host's pid file now names a process the hub never started, as after a pid reuse.
    writeFileSync(join(hub.home, "host.pid"), `${other.pid}\n`);
    await hub.stop();
    expect(running(other)).toBe(true);
    // The real host, remembered when the hub started, was stopped all the same.
    expect(startTimeOf(host as number)).toBeUndefined();
  });

  it("kills what it remembered from the home, and not a pid remembered with another start time", async () => {
    const home = "/tmp/dispatch-owned-test-home";
    const ours = decoy(home);
    const reused = decoy(home);
    const [oursPid, reusedPid] = [ours.pid as number, reused.pid as number];
    const reusedStart = await waitFor(() => startTimeOf(reusedPid), { message: "started" });
    await waitFor(() => startTimeOf(oursPid), { message: "started" });
    // `reused` stands for a process that got a pid remembered from before the counter wrapped.
    const owned = new OwnedProcesses(home, new Map([[reusedPid, String(Number(reusedStart) - 1)]]));
    owned.note(oursPid);
    expect(owned.running()).toEqual([oursPid]);
    owned.killAll();
    expect(await ended(ours)).toBe("SIGKILL");
    expect(running(reused)).toBe(true);
    expect(owned.running()).toEqual([]);
  });
});
