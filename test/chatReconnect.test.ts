/**
 * `dispatch chat` in a real PTY through a hub SIGKILLed and started again, against the local
 * fake LLM provider: the prompt says the hub is away and back, shows the rest of a reply once,
 * and a message typed while the hub was away reaches the provider once it is back.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  HELD_FIRST,
  HELD_REST,
  heldReplies,
  providerToml,
  startFakeProvider,
  stopFakeProvider,
} from "./fakeProvider.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { closeTtys, dispatchInPty } from "./tty.js";

let hub: HubHandle;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-chat-away-"));
  const base = await startFakeProvider();
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, "config.toml"), providerToml("holdanth", "anthropic", `${base}/hold-anthropic`));
  hub = await startHub({ env: { XDG_CONFIG_HOME: join(root, "config"), TEST_CHAT_KEY: "sk-test-123" } });
});

afterAll(async () => {
  closeTtys();
  await cleanupAll();
  await stopFakeProvider();
  rmSync(root, { recursive: true, force: true });
});

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

describe("dispatch chat when the hub goes away", () => {
  it("says the hub is away and back, shows the rest of the reply once, and sends what was typed meanwhile", async () => {
    const name = "c-away";
    const port = hub.port;
    const restart = async () => {
      const started = await hub.cli(["start", "--port", String(port)]);
      expect(started.code, started.stderr).toBe(0);
    };
    const tty = dispatchInPty(["chat", name, "--provider", "holdanth"], {
      env: hub.env,
      cols: 200,
      rows: 40,
    });
    await waitFor(() => tty.output().includes(`[${name}] > `), { message: "the prompt" });
    tty.pty.write("first question\r");
    const [first] = await heldReplies(1);
    const [partial, rest] = [HELD_FIRST.join(""), HELD_REST.join("")];
    await waitFor(() => tty.output().includes(partial), { message: "the first words of the reply" });

    // Killed mid-reply: said, not a silent exit; the reply ends while no hub runs (the host
    // keeps it), and a line typed meanwhile waits.
    process.kill(hub.pids().hub as number, "SIGKILL");
    await waitFor(() => tty.output().includes(`[${name}] lost the hub; reconnecting`), {
      message: "the prompt to say the hub is away",
    });
    tty.pty.write("second question\r");
    first?.finish();
    await restart();
    await waitFor(() => tty.output().includes(`[${name}] the hub is back`), {
      timeoutMs: 30_000,
      message: "the prompt to say the hub is back",
    });
    const [second] = await heldReplies(1);
    expect(second?.body.messages).toEqual([
      { role: "user", content: "first question" },
      { role: "assistant", content: `${partial}${rest}` },
      { role: "user", content: "second question" },
    ]);
    // The rest of the first reply after the hub came back; its start not shown again.
    const afterBack = () => tty.output().slice(tty.output().indexOf(`[${name}] the hub is back`));
    await waitFor(() => afterBack().includes(rest), { message: "the rest of the first reply" });
    expect(afterBack().slice(0, afterBack().indexOf(rest))).not.toContain(partial);
    second?.finish();
    // The turn over: the prompt is drawn after the reply.
    await waitFor(
      () => {
        const output = tty.output();
        return count(output, rest) === 2 && output.slice(output.lastIndexOf(rest)).includes(`[${name}] > `);
      },
      { message: "the second reply, then the prompt" },
    );

    // Away again while at the prompt: a message typed then is said to wait, and goes once back.
    process.kill(hub.pids().hub as number, "SIGKILL");
    await waitFor(() => count(tty.output(), `[${name}] lost the hub; reconnecting`) === 2, {
      message: "the prompt to say the hub is away again",
    });
    tty.pty.write("third question\r");
    await waitFor(
      () => tty.output().includes(`[${name}] the hub is away: this message is sent once it is back`),
      {
        message: "the message said to wait",
      },
    );
    await restart();
    const [third] = await heldReplies(1);
    expect(third?.body.messages).toHaveLength(5);
    expect(third?.body.messages).toContainEqual({ role: "user", content: "third question" });
    third?.finish();
    await waitFor(() => count(tty.output(), rest) === 3, { message: "the third reply" });

    tty.pty.write("/quit\r");
    expect(await tty.rc).toBe(0);
    const output = tty.output();
    expect(count(output, partial)).toBe(3);
    expect(count(output, rest)).toBe(3);
  }, 180_000);

  it("gives up after DISPATCH_RECONNECT_GIVE_UP_MS without a hub: says so and exits 1", async () => {
    const tty = dispatchInPty(["chat", "c-gone", "--provider", "holdanth"], {
      env: { ...hub.env, DISPATCH_RECONNECT_GIVE_UP_MS: "1000" },
      cols: 200,
      rows: 40,
    });
    await waitFor(() => tty.output().includes("[c-gone] > "), { message: "the prompt" });
    // No hub at all: the supervisor the first test's `dispatch start` left goes first, or it
    // restarts the hub within about the second this client waits (it did, in a run).
    const { supervisor, hub: hubPid } = hub.pids();
    if (supervisor) process.kill(supervisor, "SIGKILL");
    process.kill(hubPid as number, "SIGKILL");
    expect(await tty.rc).toBe(1);
    expect(tty.output()).toContain("[c-gone] lost the hub; reconnecting");
    expect(tty.output()).toContain(
      "dispatch: lost the connection to the hub and could not reach it again within 1 s (DISPATCH_RECONNECT_GIVE_UP_MS); the chat keeps its conversation: `dispatch chat c-gone` goes on once the hub is back",
    );
  });
});
