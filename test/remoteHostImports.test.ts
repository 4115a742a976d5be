/**
 * A remote `dispatch host` runs from the CLI's bundle, through V8's code cache
 * (`platform/cachedBundle.ts`). Node 20 loses `import()` in functions restored from a cache
 * another process wrote ("A dynamic import callback was not specified"), so what the host loads
 * on first use (the LLM client libraries, ZeroMQ) must come through `importModule`. The host is
 * run once so that its exit writes the cache with a chat's and a workspace's functions in it,
 * then again: the second run's chat still reaches its provider and its workspace still starts
 * its kernel.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatSteps, replies, send } from "./chatSession.js";
import { startFakeProvider, stopFakeProvider } from "./fakeProvider.js";
import { BIN, cleanEnv, cleanupAll, type HubHandle, REPO_ROOT, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let root: string;
let base: string;
let token: string;
let remote: ChildProcess | undefined;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-remote-imports-"));
  base = await startFakeProvider();
  hub = await startHub();
  const created = await hub.cli(["hosts", "token", "create", "far"]);
  expect(created.code, created.stderr).toBe(0);
  token = created.stdout.trim();
}, 60_000);

afterAll(async () => {
  if (remote && remote.exitCode === null && remote.signalCode === null) remote.kill("SIGKILL");
  await cleanupAll();
  await stopFakeProvider();
  rmSync(root, { recursive: true, force: true });
});

async function hostStatus(): Promise<string | undefined> {
  const { hosts } = (await (await hub.api("/api/hosts")).json()) as {
    hosts: { name: string; status: string }[];
  };
  return hosts.find((h) => h.name === "far")?.status;
}

/** Starts the remote host `far` from the CLI's entry and waits until the hub has it. */
async function startRemote(): Promise<void> {
  const home = join(root, "far-home");
  mkdirSync(home, { recursive: true });
  remote = spawn(process.execPath, [BIN, "host", "--hub", hub.url, "--token", token, "--name", "far"], {
    env: cleanEnv({ DISPATCH_HOME: home, HOME: home }),
    cwd: REPO_ROOT,
    stdio: "ignore",
  });
  await waitFor(async () => (await hostStatus()) === "connected", {
    timeoutMs: 30_000,
    message: "host far connected",
  });
}

/** A chat and a workspace on `far`, each used once: a reply comes, a cell evaluates. */
async function useBoth(round: number): Promise<void> {
  const chat = `chat-${round}`;
  const made = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({
      name: chat,
      kind: "chat",
      host: "far",
      options: {
        provider: "anthropic",
        profile: "fake",
        baseUrl: `${base}/anthropic`,
        model: "m1",
        maxRetries: 0,
      },
    }),
  });
  expect(made.status, await made.clone().text()).toBe(201);
  await send(hub, chat, "hello\r");
  const reply = await waitFor(
    async () =>
      (await replies(hub, chat)).find((step) => step.status !== "streaming" && step.text !== undefined),
    { timeoutMs: 30_000, message: `a reply in ${chat}` },
  ).catch(async (err: Error) => {
    throw new Error(`${err.message}; the chat holds ${JSON.stringify(await chatSteps(hub, chat))}`);
  });
  expect(reply, JSON.stringify(reply)).toMatchObject({ text: "Hello from Claude" });

  const workspace = `py-${round}`;
  const ws = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ name: workspace, kind: "workspace", host: "far", options: { kernel: "python3" } }),
  });
  expect(ws.status, await ws.clone().text()).toBe(201);
  const evaluated = await hub.api(`/api/sessions/${workspace}/commands/eval`, {
    method: "POST",
    body: JSON.stringify({ code: "6 * 7" }),
  });
  const answer = await evaluated.text();
  expect(evaluated.status, answer).toBe(200);
  expect(answer).toContain('"42"');
}

describe("a remote host run from the CLI's cached bundle", { timeout: 180_000 }, () => {
  it("loads its chat's client library and its kernel's ZeroMQ again after a restart", async () => {
    await startRemote();
    await useBoth(1);
    // A graceful stop: its exit writes the cache, the functions just run included.
    const exited = once(remote as ChildProcess, "exit");
    remote?.kill("SIGTERM");
    await exited;
    await waitFor(async () => (await hostStatus()) !== "connected", { message: "host far gone" });
    await startRemote();
    await useBoth(2);
  });
});
