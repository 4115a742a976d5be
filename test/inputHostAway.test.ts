/**
 * Keys typed at `dispatch attach` while the session's host is not linked to the hub (its link
 * dropped and its dials are refused for a while) are held, not dropped: the hub answers them
 * `host_unavailable` (nothing typed), the client says once that it holds them, sends them
 * again until the host dials back, and the line runs once. On real processes: a hub, a remote
 * `dispatch host` dialing it through a proxy the test points elsewhere, and the client in a PTY.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedPort, type NodeProxy, startProxy } from "./cluster.js";
import {
  BIN,
  cleanEnv,
  cleanupAll,
  type HubHandle,
  REPO_ROOT,
  startHub,
  storedOutput,
  waitFor,
} from "./harness.js";
import { closeTtys, dispatchInPty, type Tty } from "./tty.js";

const HOST = "far";

let hub: HubHandle;
let proxy: NodeProxy;
let host: ChildProcess;
let hostLog = "";
let hostHome: string;

beforeAll(async () => {
  hub = await startHub();
  proxy = await startProxy(hub.port);
  const created = await hub.api(`/api/hosts/${HOST}/token`, { method: "POST", body: "{}" });
  const text = await created.text();
  expect(created.ok, text).toBe(true);
  const { token } = JSON.parse(text) as { token: string };
  hostHome = mkdtempSync(join(tmpdir(), "dispatch-host-away-"));
  host = spawn(process.execPath, [BIN, "host", "--hub", proxy.url, "--token", token, "--name", HOST], {
    env: cleanEnv({ DISPATCH_HOME: hostHome, HOME: hostHome }),
    cwd: REPO_ROOT,
    stdio: ["ignore", "ignore", "pipe"],
  });
  host.stderr?.setEncoding("utf8").on("data", (chunk: string) => {
    hostLog += chunk;
  });
  await waitFor(async () => (await hostStatus()) === "connected", { message: `${HOST} connected` }).catch(
    (err: Error) => {
      throw new Error(`${err.message}; the host logged:\n${hostLog}`);
    },
  );
}, 90_000);

afterAll(async () => {
  closeTtys();
  if (host && host.exitCode === null && host.signalCode === null) host.kill("SIGKILL");
  await proxy?.close();
  await cleanupAll();
  if (hostHome) rmSync(hostHome, { recursive: true, force: true });
});

async function hostStatus(): Promise<string | undefined> {
  const response = await hub.api("/api/hosts");
  const { hosts } = (await response.json()) as { hosts: { name: string; status: string }[] };
  return hosts.find((entry) => entry.name === HOST)?.status;
}

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

/** A bash session on the remote host, and `dispatch attach` to it in a PTY once its prompt shows. */
async function attachToShell(
  name: string,
  env: Record<string, string> = {},
  flags: string[] = [],
): Promise<Tty> {
  const created = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({
      name,
      host: HOST,
      cwd: tmpdir(),
      command: ["/bin/bash", "--norc", "--noprofile", "-i"],
      env: { PS1: "shell$ " },
    }),
  });
  expect(created.status, await created.text()).toBe(201);
  const tty = dispatchInPty(["attach", name, ...flags], { env: { ...hub.env, ...env }, cols: 120, rows: 20 });
  await waitFor(() => tty.output().includes("shell$ "), { message: "the attached shell's prompt" });
  return tty;
}

/** The host's link drops and its dials are refused: its shell runs on, unreachable. */
async function cutHost(): Promise<void> {
  proxy.target(await closedPort(), { dropLinks: true });
  await waitFor(async () => (await hostStatus()) !== "connected", { message: `${HOST} unlinked` });
}

async function said(tty: Tty, text: string, message: string): Promise<void> {
  await waitFor(() => tty.output().includes(text), { message }).catch((err: Error) => {
    throw new Error(`${err.message}; the client printed: ${JSON.stringify(tty.output())}`);
  });
}

describe("dispatch attach while the session's host is not linked", () => {
  it("holds the keys, says so once, and types them once the host dials back", async () => {
    const name = "held";
    const tty = await attachToShell(name);
    await cutHost();
    tty.pty.write("echo held-$((6*7))\r");
    await said(tty, "holding your input until it is back", "the client to say it holds the keys");
    expect(tty.output()).toContain(`host '${HOST}' is not connected`);
    expect(tty.output()).not.toContain("not sent");

    proxy.target(hub.port);
    await waitFor(async () => (await storedOutput(hub, name)).includes("held-42"), {
      timeoutMs: 30_000,
      message: "the held line to run once the host is back",
    }).catch(async (err: Error) => {
      throw new Error(`${err.message}; the client printed: ${JSON.stringify(tty.output())}`);
    });
    // A later line ran after it: a late second copy, sent in order before it, would show by then.
    tty.pty.write("echo after-$((9*11))\r");
    await waitFor(() => tty.output().includes("after-99"), { message: "a later line shown" });
    const stored = await storedOutput(hub, name);
    expect(count(stored, "held-42"), stored).toBe(1);
    expect(count(stored, "echo held-$((6*7))"), stored).toBe(1);
    expect(tty.output()).not.toContain("not sent");
    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);

  it("after DISPATCH_INPUT_HOLD_MS without the host, says the keys were not sent and drops them", async () => {
    // Linked again (also when the test before failed with the host cut off).
    proxy.target(hub.port);
    await waitFor(async () => (await hostStatus()) === "connected", { message: `${HOST} connected` });
    const name = "dropped";
    const tty = await attachToShell(name, { DISPATCH_INPUT_HOLD_MS: "2000" });
    await cutHost();
    tty.pty.write("echo dropped-$((6*7))\r");
    await said(tty, "holding your input until it is back", "the client to say it holds the keys");
    await said(
      tty,
      `not sent: host '${HOST}' is not connected right now, still after 2 s: what you typed meanwhile was dropped`,
      "the client to give up on the keys",
    );

    proxy.target(hub.port);
    await waitFor(async () => (await hostStatus()) === "connected", { message: `${HOST} back` });
    tty.pty.write("echo after-$((9*11))\r");
    await waitFor(async () => (await storedOutput(hub, name)).includes("after-99"), {
      timeoutMs: 30_000,
      message: "a line typed once the host is back runs",
    });
    const stored = await storedOutput(hub, name);
    expect(stored).not.toContain("dropped-42");
    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);

  it("without a status bar, says it on a line of its own rather than over the session's last row", async () => {
    proxy.target(hub.port);
    await waitFor(async () => (await hostStatus()) === "connected", { message: `${HOST} connected` });
    const tty = await attachToShell("barless", { DISPATCH_INPUT_HOLD_MS: "1000" }, ["--no-status-bar"]);
    await cutHost();
    tty.pty.write("echo barless\r");
    await said(tty, "[dispatch: host 'far' is not connected right now; holding", "the holding line");
    await said(
      tty,
      `[dispatch: not sent: host '${HOST}' is not connected right now, still after 1 s`,
      "the give-up line",
    );
    proxy.target(hub.port);
    tty.pty.write("\x1c");
    expect(await tty.rc).toBe(0);
  }, 120_000);
});
