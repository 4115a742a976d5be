/**
 * `dispatch chat` in a real PTY, its line sent just as the hub is SIGKILLed, against the local
 * fake LLM provider. The client reaches the hub through a relay that swallows one direction
 * (`SwallowingProxy`), so each test decides where the line was when the hub died: never read
 * by the hub (it must be sent again), or taken and stored with only its receipt lost (it must
 * not be taken twice, though the restarted hub has never seen its id).
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatSteps } from "./chatSession.js";
import {
  HELD_FIRST,
  HELD_REST,
  HELD_TEXT,
  heldReplies,
  providerToml,
  startFakeProvider,
  stopFakeProvider,
} from "./fakeProvider.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { RELAY_ADDRESS, relayedClientEnv, SwallowingProxy } from "./swallowingProxy.js";
import { closeTtys, dispatchInPty, type Tty } from "./tty.js";

let hub: HubHandle;
let proxy: SwallowingProxy;
let root: string;
/** The client's own data directory: its `hub.json` names the relay, not the hub. */
let clientEnv: Record<string, string>;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-chat-resend-"));
  const base = await startFakeProvider();
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  writeFileSync(join(config, "config.toml"), providerToml("holdanth", "anthropic", `${base}/hold-anthropic`));
  hub = await startHub({
    env: {
      XDG_CONFIG_HOME: join(root, "config"),
      TEST_CHAT_KEY: "sk-test-123",
      // The relay's address, in the Host header of what comes through it.
      DISPATCH_ALLOWED_HOSTS: RELAY_ADDRESS,
    },
  });
  proxy = await SwallowingProxy.start(hub.port);
  clientEnv = relayedClientEnv(hub, proxy, join(root, "client"));
});

afterAll(async () => {
  closeTtys();
  await proxy?.close();
  await cleanupAll();
  await stopFakeProvider();
  rmSync(root, { recursive: true, force: true });
});

function count(text: string, part: string): number {
  return text.split(part).length - 1;
}

async function userLines(name: string): Promise<string[]> {
  return (await chatSteps(hub, name)).filter((step) => step.role === "user").map((step) => String(step.text));
}

async function openChat(name: string): Promise<Tty> {
  const tty = dispatchInPty(["chat", name, "--provider", "holdanth"], {
    env: clientEnv,
    cols: 200,
    rows: 40,
  });
  await waitFor(() => tty.output().includes(`[${name}] > `), { message: "the prompt" }).catch(
    (err: Error) => {
      throw new Error(`${err.message}; the client printed: ${JSON.stringify(tty.output())}`);
    },
  );
  return tty;
}

/** Leaves the prompt as a person does; the command succeeds. */
async function quit(tty: Tty): Promise<void> {
  tty.pty.write("/quit\r");
  expect(await tty.rc).toBe(0);
}

/** SIGKILLs the hub; the relay passes everything again for the client's next connection. */
async function killHub(tty: Tty, name: string): Promise<void> {
  process.kill(hub.pids().hub as number, "SIGKILL");
  proxy.pass();
  await waitFor(() => tty.output().includes(`[${name}] lost the hub; reconnecting`), {
    message: "the prompt to say the hub is away",
  });
}

async function restartHub(tty: Tty, name: string): Promise<void> {
  const started = await hub.cli(["start", "--port", String(proxy.port)]);
  expect(started.code, started.stderr).toBe(0);
  await waitFor(() => tty.output().includes(`[${name}] the hub is back`), {
    timeoutMs: 30_000,
    message: "the prompt to say the hub is back",
  });
}

/** The reply `HELD_REST` ends shown `times` times in all, and the prompt drawn after the last. */
async function replyShown(tty: Tty, name: string, times: number): Promise<void> {
  const rest = HELD_REST.join("");
  await waitFor(
    () => {
      const output = tty.output();
      return count(output, rest) === times && output.slice(output.lastIndexOf(rest)).includes(`[${name}] > `);
    },
    { message: `reply ${times}, then the prompt` },
  );
}

describe("dispatch chat: a line sent as the hub dies", () => {
  it("the hub died before reading it: sent again once it is back, and answered once", async () => {
    const name = "c-unread";
    const tty = await openChat(name);
    const line = "a question the hub never read";
    proxy.swallowToHub = true;
    tty.pty.write(`${line}\r`);
    // On its way: the message (its text and the frame around it) reached the relay.
    await waitFor(() => proxy.swallowedToHubBytes > line.length, { message: "the line sent" });
    await killHub(tty, name);
    await restartHub(tty, name);

    const [reply] = await heldReplies(1);
    expect(reply?.body.messages).toEqual([{ role: "user", content: line }]);
    reply?.finish();
    await replyShown(tty, name, 1);
    expect(await userLines(name)).toEqual([line]);
    // Typed once, never shown again as a second message.
    expect(count(tty.output(), line)).toBe(1);
    await quit(tty);
  }, 120_000);

  it("the hub died after storing it, its receipt unseen: not taken twice by the restarted hub", async () => {
    const name = "c-unacked";
    const tty = await openChat(name);
    const line = "a question whose receipt was lost";
    proxy.swallowToClient = true;
    tty.pty.write(`${line}\r`);
    const [first] = await heldReplies(1);
    expect(first?.body.messages).toEqual([{ role: "user", content: line }]);
    await waitFor(async () => (await userLines(name)).includes(line), { message: "the line stored" });
    // The client saw nothing of it: no receipt, not the reply's start.
    expect(tty.output()).not.toContain(HELD_FIRST.join(""));
    await killHub(tty, name);
    // The reply ends while no hub runs (the host keeps it): the chat waits for a message again,
    // so a line taken twice would be a second message, asked of the provider.
    first?.finish();
    await restartHub(tty, name);
    await replyShown(tty, name, 1);

    const later = "a later question";
    tty.pty.write(`${later}\r`);
    const [next] = await heldReplies(1);
    expect(next?.body.messages).toEqual([
      { role: "user", content: line },
      { role: "assistant", content: HELD_TEXT },
      { role: "user", content: later },
    ]);
    next?.finish();
    await replyShown(tty, name, 2);
    expect(await userLines(name)).toEqual([line, later]);
    expect(count(tty.output(), line)).toBe(1);
    expect(count(tty.output(), HELD_FIRST.join(""))).toBe(2);
    await quit(tty);
  }, 120_000);

  it("a message the hub refuses (the chat has ended) is said not sent, and the prompt comes back", async () => {
    const name = "c-ended";
    const tty = await openChat(name);
    const killed = await hub.cli(["kill", name]);
    expect(killed.code, killed.stderr).toBe(0);
    await waitFor(() => tty.output().includes(`[${name}] the chat has ended`), { message: "the end said" });
    tty.pty.write("anyone there?\r");
    const refusal = `[${name}] not sent: session '${name}' has exited`;
    await waitFor(() => tty.output().includes(refusal), { message: "the refusal said" });
    const said = tty.output().slice(tty.output().indexOf(refusal));
    expect(said).toContain(`input was not delivered; \`dispatch revive ${name}\` starts it again`);
    await waitFor(() => tty.output().slice(tty.output().indexOf(refusal)).includes(`[${name}] > `), {
      message: "the prompt after the refusal",
    });
    await quit(tty);
  }, 60_000);
});
