/**
 * `dispatch attach` in a real PTY, typing without pause while its hub is SIGKILLed, stays dead
 * and is started again: keys typed just before the kill (their receipts die with the hub),
 * while the client says it reconnects, while the new hub is starting, and after the client is
 * back. The session (raw `cat` into a file) must get every key exactly once, in the order typed:
 * none lost, none doubled, none overtaking another. And a Ctrl-C that waited for the hub longer
 * than a few seconds is not sent late, where it could stop a later command.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { INTERRUPT_FRESH_MS } from "../src/core/staleInterrupt.js";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty, type Tty } from "./tty.js";

let hub: HubHandle;

beforeAll(async () => {
  hub = await startHub();
});

afterAll(async () => {
  closeTtys();
  await cleanupAll();
});

/**
 * Types numbered keys into `tty`, one write each (each its own input at the client), until
 * stopped; `typed` is everything written so far. The pace only spreads keys over each phase
 * of the restart: nothing is asserted on time.
 */
function startTyping(tty: Tty): { type(): void; typed(): string; count(): number; stop(): void } {
  let n = 0;
  let text = "";
  const type = () => {
    n += 1;
    // A control key among them (Ctrl-A: in a raw session just a byte) goes through as typed.
    // Not an interrupt: one that waits past INTERRUPT_FRESH_MS is dropped (tested below).
    const key = n % 50 === 0 ? "\x01" : "";
    const piece = `k${String(n).padStart(5, "0")}${key} `;
    text += piece;
    tty.pty.write(piece);
  };
  const timer = setInterval(type, 10);
  return {
    type,
    typed: () => text,
    count: () => n,
    stop: () => clearInterval(timer),
  };
}

describe("dispatch attach: keys typed through a hub SIGKILL and restart", () => {
  it("reach the session exactly once each, in the order typed", async () => {
    const out = join(hub.home, "keys");
    const setup = await hub.socket();
    try {
      // Raw and without echo: cat gets each key as it comes, control keys included.
      await setup.create({
        name: "keys",
        command: ["/bin/sh", "-c", `stty raw -echo; echo ready-$((40+2)); exec cat > ${out}`],
        cwd: hub.home,
      });
    } finally {
      await setup.close();
    }
    await waitFor(async () => (await storedOutput(hub, "keys")).includes("ready-42"), { message: "ready" });
    const tty = dispatchInPty(["attach", "keys"], { env: hub.env, cols: 80, rows: 12 });
    await waitFor(() => tty.output().includes("ready-42"), { message: "attached" });

    const typing = startTyping(tty);
    const phases: Record<string, number> = {};
    const mark = (phase: string) => {
      phases[phase] = typing.count();
    };
    // Some keys went to the hub and came back acknowledged.
    await waitFor(() => readFileSync(out, "utf8").includes("k00020"), { message: "keys to arrive" });
    mark("live");
    process.kill(hub.pids().hub as number, "SIGKILL");
    // Typed as it dies: the client sends these into a connection no one reads any more, and
    // learns so only later.
    for (let i = 0; i < 5; i++) {
      typing.type();
      await new Promise((resolve) => setImmediate(resolve));
    }
    await waitFor(() => tty.output().includes("reconnecting"), {
      message: "the client to say it reconnects",
    });
    mark("killed");
    // Typed while nothing listens: the client tries, and fails, to reach a hub meanwhile.
    const before = typing.count();
    await waitFor(() => typing.count() >= before + 30, { message: "keys typed while the hub is down" });
    mark("down");
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    mark("started");
    // Typed while the client finds the new hub and resumes, and after: once keys typed now are
    // in the file, the client is back and carrying keys.
    const after = typing.count();
    await waitFor(() => readFileSync(out, "utf8").includes(`k${String(after + 20).padStart(5, "0")}`), {
      timeoutMs: 30_000,
      message: "keys typed after the restart to arrive",
    });
    typing.stop();
    const typed = typing.typed();
    const last = `k${String(typing.count()).padStart(5, "0")}`;
    await waitFor(() => readFileSync(out, "utf8").includes(last), {
      timeoutMs: 30_000,
      message: "the last key typed to arrive",
    }).catch((err: Error) => {
      throw new Error(`${err.message}; phases ${JSON.stringify(phases)}`);
    });
    // Each phase had keys of its own (the typing did not stall through any of them).
    expect(phases.killed).toBeGreaterThan(phases.live as number);
    expect(phases.started).toBeGreaterThan(phases.down as number);
    const got = readFileSync(out, "utf8");
    if (got !== typed) {
      const gotKeys = got.split(" ");
      const typedKeys = typed.split(" ");
      const at = typedKeys.findIndex((key, i) => gotKeys[i] !== key);
      throw new Error(
        `the session got ${gotKeys.length - 1} keys for ${typedKeys.length - 1} typed; first difference at key ${at}: got ${JSON.stringify(gotKeys.slice(Math.max(0, at - 2), at + 5))}, typed ${JSON.stringify(typedKeys.slice(Math.max(0, at - 2), at + 5))}; phases ${JSON.stringify(phases)}`,
      );
    }
    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);
});

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe("dispatch attach: Ctrl-C typed while the hub is away", () => {
  it("is dropped, and said, once it waited past a few seconds: what it meant to stop runs on", async () => {
    const setup = await hub.socket();
    try {
      await setup.create({
        name: "intr",
        command: ["/bin/bash", "--norc", "--noprofile", "-i"],
        cwd: hub.home,
        env: { PS1: "shell$ " },
      });
    } finally {
      await setup.close();
    }
    const tty = dispatchInPty(["attach", "intr"], { env: hub.env, cols: 160, rows: 20 });
    await waitFor(() => tty.output().includes("shell$ "), { message: "the prompt" });
    tty.pty.write("sleep 600\r");
    await waitFor(async () => (await storedOutput(hub, "intr")).includes("sleep 600\r\n"), {
      message: "sleep to start",
    });
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await waitFor(() => tty.output().includes("reconnecting"), {
      message: "the client to say it reconnects",
    });
    tty.pty.write("\x03");
    const typedAt = Date.now();
    // The rule is about time: the hub stays away past it.
    await waitFor(() => Date.now() - typedAt > INTERRUPT_FRESH_MS + 1_000, {
      timeoutMs: INTERRUPT_FRESH_MS + 5_000,
      intervalMs: 200,
      message: "the interrupt to go stale",
    });
    const started = await hub.cli(["start", "--port", String(hub.port)]);
    expect(started.code, started.stderr).toBe(0);
    await waitFor(() => tty.output().includes("not sent: Ctrl-C typed"), {
      timeoutMs: 30_000,
      message: "the client to say the Ctrl-C was dropped",
    });
    // sleep still runs: a Ctrl-C pressed now stops it (bash shows ^C), once, and a later line runs.
    tty.pty.write("\x03");
    await waitFor(async () => (await storedOutput(hub, "intr")).includes("^C"), {
      message: "the Ctrl-C pressed after to stop sleep",
    });
    tty.pty.write("echo done-$((6*7))\r");
    await waitFor(async () => (await storedOutput(hub, "intr")).includes("done-42"), {
      message: "a later line",
    });
    // A late stale Ctrl-C would have stopped sleep itself, and the one pressed after shown a
    // second ^C at the prompt.
    const printed = await storedOutput(hub, "intr");
    expect(count(printed, "^C"), printed).toBe(1);
    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);
});
