/**
 * Long evaluations as a person runs them, on a real python3 kernel through a real hub and
 * host: a cell that runs past a quick host request's deadline returns its value (and one queued
 * behind it too); Ctrl-C interrupts the cell and exits 130; at a terminal the output shows as
 * the cell prints it; `transcript --follow` goes on through a hub stop and start.
 */
import type { ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, type RunningCli, runningCli, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty } from "./tty.js";

let hub: HubHandle;
const children = new Set<ChildProcess>();

interface Event {
  seq: number;
  type: string;
  data: Record<string, unknown> & { output?: Record<string, unknown> };
}

async function info(name: string): Promise<{ status: string; options: Record<string, unknown> }> {
  return ((await (await hub.api(`/api/sessions/${name}`)).json()) as { session: never }).session;
}

async function events(name: string): Promise<Event[]> {
  const all: Event[] = [];
  for (let after = 0; ; ) {
    const page = (
      (await (await hub.api(`/api/sessions/${name}/events?after=${after}&limit=1000`)).json()) as {
        events: Event[];
      }
    ).events;
    if (page.length === 0) return all;
    all.push(...page);
    after = (page[page.length - 1] as Event).seq;
  }
}

/** Whether the kernel printed `text` (stored as a stream output). */
async function printed(name: string, text: string): Promise<boolean> {
  return (await events(name)).some(
    (e) => e.type === "eval-output" && String(e.data.output?.text).includes(text),
  );
}

/** `dispatch ARGS` as a child this test can signal, with what it printed so far. */
function dispatch(args: string[]): RunningCli {
  return runningCli(hub, args, children);
}

/**
 * How long the host has to answer a quick request, shorter than the 10 s users get: the first
 * test's cell runs past it in seconds instead of waiting out the real one.
 */
const QUICK_REQUEST_MS = 3_000;

beforeAll(async () => {
  hub = await startHub({ env: { DISPATCH_HOST_REQUEST_TIMEOUT_MS: String(QUICK_REQUEST_MS) } });
  const created = await hub.cli(["new", "--kernel", "python3", "--name", "py"]);
  expect(created.code, created.stderr).toBe(0);
  await waitFor(async () => (await info("py")).options.connection === "connected", {
    timeoutMs: 30_000,
    message: "the kernel connected",
  });
});

afterEach(() => {
  closeTtys();
  for (const child of children) child.kill("SIGKILL");
});

afterAll(async () => {
  await cleanupAll();
});

describe("long evaluations from the CLI", { timeout: 120_000 }, () => {
  it("returns a cell's value however long it runs, and then the one queued behind it", async () => {
    // Longer than the time a host has to answer a quick request.
    const seconds = QUICK_REQUEST_MS / 1000 + 1;
    const long = hub.cli(["eval", "py", `import time; time.sleep(${seconds}); 'slept'`]);
    // From the CLI's start: its Node boot is seconds on a loaded machine, the cell's sleep too.
    await waitFor(async () => (await info("py")).options.execution === "busy", {
      timeoutMs: 30_000,
      message: "the cell runs",
    });
    const queued = hub.cli(["eval", "py", "'queued'"]);
    const [first, second] = await Promise.all([long, queued]);
    expect(first.stderr).toBe("");
    expect(first).toMatchObject({ code: 0, stdout: "'slept'\n" });
    // It said it waited, if it joined before the sleep was over; nothing else.
    expect(second.stderr).toMatch(
      /^(\[dispatch: waiting behind the cell running since [\d:]+: `import time; time\.sleep\(\d+\); 'slept'`; Ctrl-C takes this one out of the queue\]\n\[dispatch: its turn came; running\]\n)?$/,
    );
    expect(second).toMatchObject({ code: 0, stdout: "'queued'\n" });
  });

  it("interrupts the cell on Ctrl-C, prints what it printed, and exits 130", async () => {
    const code = "print('started', flush=True)\nimport time\ntime.sleep(600)\nprint('never' + ' printed')";
    try {
      const evaluation = dispatch(["eval", "py", code]);
      await waitFor(() => printed("py", "started"), { timeoutMs: 20_000, message: "the cell printed" });
      evaluation.child.kill("SIGINT");
      expect(await evaluation.exit, evaluation.err()).toBe(130);
      expect(evaluation.out()).toBe("started\n");
      expect(evaluation.err()).toContain("KeyboardInterrupt");
      expect(evaluation.err()).toContain("interrupted the cell");

      // The kernel is free: the next cell runs at once instead of after the sleep.
      await waitFor(async () => (await info("py")).options.execution === "idle", { message: "idle" });
      const next = await hub.cli(["eval", "py", "'next'"]);
      expect(next).toMatchObject({ code: 0, stdout: "'next'\n" });
      const log = await events("py");
      const start = log.find((e) => e.type === "eval-start" && e.data.code === code);
      const end = log.find((e) => e.type === "eval-end" && e.data.id === start?.data.id);
      expect(end?.data).toMatchObject({ status: "error", error: { ename: "KeyboardInterrupt" } });
      expect(await printed("py", "never printed")).toBe(false);
    } finally {
      // Failed before the interrupt: the other tests must not queue behind the sleep.
      if ((await info("py")).options.execution === "busy") await hub.cli(["cmd", "py", "interrupt"]);
    }
  });

  it("shows a cell's output at a terminal as the cell prints it", async () => {
    const release = join(hub.home, "release");
    const code = `import os, time\nprint("first line", flush=True)\nwhile not os.path.exists("${release}"): time.sleep(0.05)\n"released"`;
    try {
      const tty = dispatchInPty(["eval", "py", `'${code}'`], { env: hub.env, cols: 80, rows: 10 });
      // Printed while the cell still waits for the file.
      await waitFor(() => tty.output().includes("first line"), {
        timeoutMs: 20_000,
        message: "the first line",
      });
      expect((await info("py")).options.execution).toBe("busy");
      writeFileSync(release, "");
      expect(await tty.rc).toBe(0);
      expect(tty.output().split("first line").length).toBe(2);
      expect(tty.output()).toContain("'released'");
    } finally {
      if (!existsSync(release)) writeFileSync(release, "");
    }
  });

  it("follows the transcript through a hub stop and start", async () => {
    // Printed text unlike its code, so each shows once in the transcript.
    expect((await hub.cli(["eval", "py", "print('before' + ' the stop')"])).code).toBe(0);
    const follower = dispatch(["transcript", "py", "--follow"]);
    await waitFor(
      async () => {
        const body = (await (await hub.api("/api/sessions/py/presence")).json()) as { presence: unknown[] };
        return body.presence.length > 0;
      },
      { timeoutMs: 30_000, message: "the follower attached" },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; it printed: ${follower.out()}${follower.err()}`);
    });
    // Its presence can be in before the history it is sent reaches its stdout.
    await waitFor(() => follower.out().includes("before the stop"), {
      message: "the follower to print the history",
    }).catch((err: Error) => {
      throw new Error(`${err.message}; it printed: ${follower.out()}${follower.err()}`);
    });

    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => follower.err().includes("lost the hub; reconnecting"), {
      message: "the follower to say it reconnects",
    });
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    await waitFor(() => follower.err().includes("reconnected"), {
      timeoutMs: 30_000,
      message: "reconnected",
    });
    await waitFor(
      async () => {
        const body = (await (await hub.api("/api/hosts")).json()) as {
          hosts: { id: string; status: string }[];
        };
        return body.hosts.some((host) => host.id === "local" && host.status === "connected");
      },
      { timeoutMs: 30_000, message: "the host is back" },
    );

    const after = await hub.cli(["eval", "py", "print('after' + ' the start')"]);
    expect(after.code, after.stderr).toBe(0);
    await waitFor(() => follower.out().includes("after the start"), { message: "the new output followed" });
    expect(follower.out().split("before the stop").length).toBe(2);
    expect(follower.child.exitCode).toBe(null);
    follower.child.kill("SIGINT");
    expect(await follower.exit).toBe(0);
  });
});
