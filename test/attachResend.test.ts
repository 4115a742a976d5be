/**
 * `dispatch attach` in a real PTY, typing into a real shell while the link to the hub drops.
 * The client reaches the hub through a relay that swallows one direction and then drops
 * (`SwallowingProxy`), so each test decides where the keys were when the link went: never read
 * by the hub (they must be sent again once the client is back), or applied with only their
 * receipt lost (they must not be typed twice, by the same hub or by a restarted one, which has
 * never seen their ids: the host has). Either way the shell runs the line exactly once.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub, storedOutput, waitFor } from "./harness.js";
import { RELAY_ADDRESS, relayedClientEnv, SwallowingProxy } from "./swallowingProxy.js";
import { closeTtys, dispatchInPty, type Tty } from "./tty.js";

let hub: HubHandle;
let proxy: SwallowingProxy;
let root: string;
/** The client's own data directory: its `hub.json` names the relay, not the hub. */
let clientEnv: Record<string, string>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-attach-resend-"));
  // The relay's address, in the Host header of what comes through it.
  hub = await startHub({ env: { DISPATCH_ALLOWED_HOSTS: RELAY_ADDRESS } });
  proxy = await SwallowingProxy.start(hub.port);
  clientEnv = relayedClientEnv(hub, proxy, join(root, "client"));
});

// A test that failed midway leaves no swallowing relay to the next.
beforeEach(() => proxy.pass());

afterAll(async () => {
  closeTtys();
  await proxy?.close();
  await cleanupAll();
  rmSync(root, { recursive: true, force: true });
});

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** A bash session, and `dispatch attach` to it in a PTY once its prompt shows. */
async function attachToShell(name: string): Promise<Tty> {
  const setup = await hub.socket();
  try {
    await setup.create({
      name,
      command: ["/bin/bash", "--norc", "--noprofile", "-i"],
      cwd: hub.home,
      env: { PS1: "shell$ " },
    });
  } finally {
    await setup.close();
  }
  const tty = dispatchInPty(["attach", name], { env: clientEnv, cols: 100, rows: 20 });
  await waitFor(() => tty.output().includes("shell$ "), { message: "the attached shell's prompt" }).catch(
    (err: Error) => {
      throw new Error(`${err.message}; the client printed: ${JSON.stringify(tty.output())}`);
    },
  );
  return tty;
}

/**
 * `echo TAG-$((6*7))` printed `TAG-42` exactly once, in the session and on the client's screen,
 * and its line was echoed once: checked after a later line ran, so a late second copy (sent in
 * order before it) would have shown by then.
 */
async function ranOnce(tty: Tty, name: string, tag: string): Promise<void> {
  await waitFor(async () => (await storedOutput(hub, name)).includes(`${tag}-42`), {
    timeoutMs: 30_000,
    message: `the shell to run the line typed as the link dropped (${tag})`,
  }).catch(async (err: Error) => {
    throw new Error(`${err.message}; the session printed: ${JSON.stringify(await storedOutput(hub, name))}`);
  });
  tty.pty.write(`echo after-${tag}-$((9*11))\r`);
  await waitFor(() => tty.output().includes(`after-${tag}-99`), { message: "a later line shown" });
  const stored = await storedOutput(hub, name);
  expect(count(stored, `${tag}-42`), stored).toBe(1);
  expect(count(stored, `echo ${tag}-$((6*7))`), stored).toBe(1);
  expect(count(tty.output(), `${tag}-42`)).toBe(1);
}

/** Types `echo TAG-$((6*7))`, which the shell runs while the client sees nothing back. */
async function typeReceiptLost(tty: Tty, name: string, tag: string): Promise<void> {
  proxy.swallowToClient = true;
  tty.pty.write(`echo ${tag}-$((6*7))\r`);
  await waitFor(async () => (await storedOutput(hub, name)).includes(`${tag}-42`), {
    message: "the shell to run the line",
  });
  // The client saw nothing of it: no receipt, not the shell's echo.
  expect(tty.output()).not.toContain(`echo ${tag}`);
}

/** Leaves as a person does (the detach key); the command succeeds. */
async function detach(tty: Tty): Promise<void> {
  tty.pty.write("\x1c");
  expect(await tty.rc).toBe(0);
}

describe("dispatch attach: keys typed as the link drops", () => {
  it("keys the hub never read are sent again once the client is back, and run once", async () => {
    const name = "a-unread";
    const tty = await attachToShell(name);
    const line = "echo unread-$((6*7))\r";
    proxy.swallowToHub = true;
    tty.pty.write(line);
    // On their way: the keys (and the frame around them) reached the relay, not the hub.
    await waitFor(() => proxy.swallowedToHubBytes > line.length, { message: "the keys sent" });
    proxy.drop();
    await ranOnce(tty, name, "unread");
    await detach(tty);
  }, 120_000);

  it("keys typed into a link that died silently: the client takes it for dead, reconnects, and they run once", async () => {
    const name = "a-silent";
    const tty = await attachToShell(name);
    proxy.silence();
    const line = "echo silent-$((6*7))\r";
    tty.pty.write(line);
    await waitFor(() => proxy.swallowedToHubBytes > line.length, { message: "the keys sent" });
    // No receipt, nothing else from the hub: after a few seconds the client says it reconnects.
    await waitFor(() => tty.output().includes("reconnecting"), {
      timeoutMs: 30_000,
      message: "the client to take the link for dead",
    });
    await ranOnce(tty, name, "silent");
    await detach(tty);
  }, 120_000);

  it("keys the hub applied, their receipt lost, are not typed twice after the client is back", async () => {
    const name = "a-unacked";
    const tty = await attachToShell(name);
    await typeReceiptLost(tty, name, "unacked");
    proxy.drop();
    await ranOnce(tty, name, "unacked");
    await detach(tty);
  }, 120_000);

  it("keys applied just before the hub was SIGKILLed are not typed twice by the restarted hub", async () => {
    const name = "a-killed";
    const tty = await attachToShell(name);
    await typeReceiptLost(tty, name, "killed");
    process.kill(hub.pids().hub as number, "SIGKILL");
    proxy.drop();
    await waitFor(() => tty.output().includes("reconnecting"), {
      message: "the client to say it reconnects",
    });
    const started = await hub.cli(["start", "--port", String(proxy.port)]);
    expect(started.code, started.stderr).toBe(0);
    await ranOnce(tty, name, "killed");
    await detach(tty);
  }, 120_000);
});
