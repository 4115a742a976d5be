/**
 * Chat sessions against local HTTP servers that speak the Anthropic Messages and OpenAI
 * chat-completions streaming wire formats, driven through the official SDKs in the host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../src/cli/config.js";
import { chatOptionsFor } from "../src/cli/kinds/chat.js";
import { chatSteps, replies, send, sessionInfo, storedEvents, storedText } from "./chatSession.js";
import {
  endlessHungUp,
  HELD_TEXT,
  held,
  heldAborted,
  heldMaxOpen,
  heldReplies,
  lastUserText,
  providerToml as provider,
  requests,
  resetHeldMaxOpen,
  startFakeProvider,
  stopFakeProvider,
} from "./fakeProvider.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";

let hub: HubHandle;
let hubEnv: Record<string, string>;
let root: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-chat-"));
  const base = await startFakeProvider();
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  writeFileSync(
    join(config, "config.toml"),
    [
      provider("anth", "anthropic", `${base}/anthropic`),
      provider("oai", "openai", `${base}/openai/v1`),
      provider("holdanth", "anthropic", `${base}/hold-anthropic`),
      provider("holdoai", "openai", `${base}/hold-openai/v1`),
      provider("endless", "openai", `${base}/endless/v1`),
    ].join("\n"),
  );
  // A second config, used by some CLI calls only: at most 2 API calls in flight.
  const limited = join(root, "limited", "dispatch");
  mkdirSync(limited, { recursive: true });
  writeFileSync(
    join(limited, "config.toml"),
    [provider("holdanth", "anthropic", `${base}/hold-anthropic`), "[chat]", "max_concurrent = 2", ""].join(
      "\n",
    ),
  );
  hubEnv = { XDG_CONFIG_HOME: join(root, "config"), TEST_CHAT_KEY: "sk-test-123" };
  hub = await startHub({ env: hubEnv });
});

/**
 * A chat made as `dispatch chat NAME --provider P` makes it (its options from the profile in the
 * config `env` names), through the API: the command is tested on its own below, and each is a
 * Node boot, seconds of waiting on a loaded machine.
 */
async function newChat(h: HubHandle, name: string, provider: string, env = hubEnv): Promise<void> {
  const options = chatOptionsFor(loadConfig(env), provider);
  const created = await h.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ kind: "chat", name, cwd: root, options }),
  });
  expect(created.status, await created.text()).toBe(201);
}

afterAll(async () => {
  await cleanupAll();
  await stopFakeProvider();
  rmSync(root, { recursive: true, force: true });
});

describe("chat sessions", () => {
  it("streams an Anthropic reply through the SDK, exports and forks the conversation", async () => {
    const chat = await hub.cli(["chat", "c-anth", "--provider", "anth"], { input: "hello there\n/quit\n" });
    expect(chat.stderr).toBe("");
    expect(chat.stdout).toContain("[c-anth] > ");
    expect(chat.stdout).toContain("Hello from Claude");
    // The line typed at the prompt is not printed a second time when the chat says it was sent.
    expect(chat.stdout).not.toContain("> hello there");
    const sent = requests.find((r) => r.path.startsWith("/anthropic"));
    expect(sent?.auth).toContain("sk-test-123");
    expect(sent?.body.messages).toEqual([{ role: "user", content: "hello there" }]);
    expect(sent?.body.stream).toBe(true);

    // Both only read c-anth: side by side (each is a Node boot).
    const [exported, forked] = await Promise.all([
      hub.cli(["chat", "export", "c-anth"]),
      hub.cli(["chat", "fork", "c-anth", "--name", "c-fork"]),
    ]);
    expect(exported.stdout).toContain("## You\n\nhello there");
    expect(exported.stdout).toContain("## Assistant (fake-claude)\n\nHello from Claude");
    expect(exported.stdout).toContain("Tokens: 11 in, 7 out");

    expect(forked.stdout.trim()).toBe("c-fork");
    const again = await hub.cli(["chat", "c-fork"], { input: "and again\n/quit\n" });
    // The conversation so far, then the prompt, and the reply to the new line before /quit: the
    // replayed reply (the same words) was once taken for it, and the command ended unanswered.
    expect(again.stdout).toBe(
      "[c-fork] > hello there\nHello from Claude\r\n\n[c-fork] > Hello from Claude\r\n\n[c-fork] > ",
    );
    const last = requests.filter((r) => r.path.startsWith("/anthropic")).at(-1);
    expect(last?.body.messages).toEqual([
      { role: "user", content: "hello there" },
      { role: "assistant", content: "Hello from Claude" },
      { role: "user", content: "and again" },
    ]);
  });

  it("sends a piped line's text without a terminal's colours, and answers it before the next", async () => {
    const chat = await hub.cli(["chat", "c-colours", "--provider", "oai"], {
      input: "\x1b[1mbold\x1b[0m words\x07\nnext\n/quit\n",
    });
    expect(chat.code, chat.stderr).toBe(0);
    const sent = requests.filter((r) => r.path.startsWith("/openai")).map((r) => lastUserText(r.body));
    expect(sent.slice(-2)).toEqual(["bold words", "next"]);
    expect(chat.stdout.split("Hi from GPT").length - 1).toBe(2);
  });

  it("streams an OpenAI-compatible reply", async () => {
    const chat = await hub.cli(["chat", "c-oai", "--provider", "oai"], { input: "hi\n/quit\n" });
    expect(chat.stdout).toContain("Hi from GPT");
    const exported = await hub.cli(["chat", "export", "c-oai"]);
    expect(exported.stdout).toContain("Tokens: 3 in, 4 out");
  });

  it("echoes keys typed at an attached terminal and sends the edited line on Enter", async () => {
    await newChat(hub, "c-typed", "oai");
    // One key per input, as a terminal client sends them: an arrow key's sequence is not typed.
    for (const key of ["h", "i", "!", "\x7f", "\x1b[A", " ", "y", "o", "u", "\r"])
      await send(hub, "c-typed", key);
    await waitFor(() => requests.some((r) => lastUserText(r.body) === "hi you"), {
      message: "the provider got the edited line",
    });
    await waitFor(async () => (await storedText(hub, "c-typed")).includes("Hi from GPT"), {
      message: "the reply",
    });
    // The line echoed as it was typed, then gave way to the message as sent.
    const text = await storedText(hub, "c-typed");
    expect(text).toContain("\x1b[1m>\x1b[0m hi!\b \b you\r\x1b[K");
    expect(text).toContain("\x1b[1m> hi you\x1b[0m");

    // Another person's message: Up brings back each person's own.
    const PROMPT = "\x1b[1m>\x1b[0m ";
    const added = await hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "pat", role: "writer" }),
    });
    const { token } = (await added.json()) as { token: string };
    const asPat = await fetch(`${hub.url}/api/sessions/c-typed/input`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ data: "from pat\n" }),
    });
    expect(asPat.status).toBe(200);
    await waitFor(() => requests.some((r) => lastUserText(r.body) === "from pat"), {
      message: "the provider got pat's message",
    });
    await send(hub, "c-typed", "\x1b[A");
    const recalled = await waitFor(
      async () => {
        // The line as last drawn: what follows the last prompt.
        const text = await storedText(hub, "c-typed");
        const line = text.slice(text.lastIndexOf(PROMPT) + PROMPT.length);
        return ["hi you", "from pat"].find((message) => line === message);
      },
      { message: "Up brought a message back" },
    );
    expect(recalled).toBe("hi you");
  });

  it("gives the provider a long line of accented letters exactly, typed whole or pasted in pieces", async () => {
    // What the provider got, by its length and its U+FFFD (a character cut in two shows as two).
    const received = (prefix: string) =>
      waitFor(
        () => {
          const text = requests.map((r) => lastUserText(r.body)).find((t) => t.startsWith(prefix));
          return text === undefined
            ? undefined
            : { length: text.length, holes: text.split("\uFFFD").length - 1 };
        },
        { message: `the provider got the ${prefix} line` },
      );
    // 400,000 è: 800 KB of UTF-8, one message to the hub, many pieces on the way to the provider.
    const chat = await hub.cli(["chat", "c-accents", "--provider", "oai"], {
      input: `${"è".repeat(400_000)}\n/quit\n`,
    });
    expect(chat.code, chat.stderr).toBe(0);
    expect(await received("è")).toEqual({ length: 400_000, holes: 0 });

    // 600,000 ü, more than one message holds: a bracketed paste in pieces, as the web sends it.
    const pasted = "ü".repeat(600_000);
    for (const piece of [`\x1b[200~${pasted.slice(0, 300_000)}`, `${pasted.slice(300_000)}\x1b[201~`, "\r"])
      await send(hub, "c-accents", piece);
    expect(await received("ü")).toEqual({ length: 600_000, holes: 0 });
  });

  it("says a line too long for one message to the hub was not sent, and goes on", async () => {
    // 1.2 MB of UTF-8, over the 1 MiB the hub takes in one message: refused, and lost unsaid.
    const tooLong = "é".repeat(600_000);
    const chat = await hub.cli(["chat", "c-long", "--provider", "oai"], {
      input: `${tooLong}\nshort one\n/quit\n`,
    });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toMatch(
      /not sent: the message is \d+ bytes, more than one message to the hub holds \(1048576\); send it in parts/,
    );
    const sent = requests.filter((r) => r.path.startsWith("/openai")).map((r) => lastUserText(r.body));
    expect(sent.some((text) => text.startsWith("é"))).toBe(false);
    expect(sent).toContain("short one");
    expect(chat.stdout).toContain("Hi from GPT");
  });

  it("takes a name one typo from a subcommand for the typo, and starts a chat so named only with --new", async () => {
    const typo = await hub.cli(["chat", "exprt"], { input: "/quit\n" });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toBe(
      "dispatch: no command 'chat exprt' — did you mean 'chat export'? (to start a chat named exprt: dispatch chat --new exprt)\n",
    );
    expect((await hub.api("/api/sessions/exprt")).status).toBe(404);

    const meant = await hub.cli(["chat", "--new", "exprt", "--provider", "anth"], { input: "/quit\n" });
    expect(meant.stdout).toContain("[exprt] > ");
    // Once it exists, the name is meant: it opens without --new.
    const again = await hub.cli(["chat", "exprt"], { input: "/quit\n" });
    expect(again.code).toBe(0);
    expect(again.stdout).toContain("[exprt] > ");
  });
});

describe("chat sessions: cancel, restart, concurrency", () => {
  it.each([
    ["holdanth", "input \\x03", "fake-claude"],
    ["holdoai", "SIGINT", "fake-gpt"],
  ])(
    "cancels a %s reply in flight with %s: the partial reply is kept, marked cancelled, and the next message works",
    async (provider, how, model) => {
      const name = `c-cancel-${provider}`;
      await newChat(hub, name, provider);
      expect((await sessionInfo(hub, name)).foreground).toBeNull();
      await send(hub, name, "tell me a story\r");
      await heldReplies(1);
      await waitFor(async () => (await storedText(hub, name)).includes("partial reply"), {
        message: "the first words of the reply",
      });
      // While the reply streams, FOREGROUND says so (was `idle`).
      await waitFor(async () => (await sessionInfo(hub, name)).foreground === "replying (m1)", {
        message: "the foreground replying",
      });
      expect((await hub.cli(["ls"])).stdout).toMatch(
        new RegExp(`^${name}\\s+chat\\s+running\\s.*replying \\(m1\\)`, "m"),
      );
      const abortedBefore = heldAborted;
      if (how === "SIGINT") {
        const res = await hub.api(`/api/sessions/${name}?signal=SIGINT`, { method: "DELETE" });
        expect(res.status, await res.text()).toBe(200);
      } else {
        await send(hub, name, "\x03");
      }
      const [cancelled] = await waitFor(async () => {
        const found = await replies(hub, name);
        return found.length > 0 ? found : undefined;
      });
      expect(cancelled).toEqual({
        role: "assistant",
        text: "partial reply",
        model: "m1",
        usage: null,
        cancelled: true,
      });
      // The request to the provider was closed, not left streaming; the chat goes on.
      await waitFor(() => heldAborted === abortedBefore + 1 && held.length === 0, {
        message: "the provider's connection closed",
      });
      // Cancelled: idle again.
      await waitFor(async () => (await sessionInfo(hub, name)).foreground === null, {
        message: "the foreground idle after the cancel",
      });
      expect((await sessionInfo(hub, name)).status).toBe("running");
      expect(await storedText(hub, name)).toMatch(/partial reply\r\n.*\[cancelled\]/);
      const exported = await hub.cli(["chat", "export", name]);
      expect(exported.stdout).toContain("## Assistant (m1) (cancelled)\n\npartial reply\n");

      await send(hub, name, "go on\r");
      const [next] = await heldReplies(1);
      expect(next?.body.messages).toEqual([
        { role: "user", content: "tell me a story" },
        { role: "assistant", content: "partial reply" },
        { role: "user", content: "go on" },
      ]);
      await waitFor(async () => (await sessionInfo(hub, name)).foreground === "replying (m1)", {
        message: "the foreground replying again",
      });
      next?.finish();
      await waitFor(async () => (await replies(hub, name)).length === 2, { message: "the second reply" });
      // Finished: idle.
      await waitFor(async () => (await sessionInfo(hub, name)).foreground === null, {
        message: "the foreground idle after the reply",
      });
      expect(await chatSteps(hub, name)).toEqual([
        { role: "user", text: "tell me a story" },
        cancelled,
        { role: "user", text: "go on" },
        {
          role: "assistant",
          text: HELD_TEXT,
          model,
          usage: expect.any(Object),
          cancelled: false,
        },
      ]);
      const after = await hub.cli(["chat", "export", name]);
      expect(after.stdout).toContain(`## Assistant (${model})\n\n${HELD_TEXT}\n`);
    },
  );

  it("answers a line piped to `dispatch chat` before /quit ends it, though it waits behind another person's reply", async () => {
    const name = "c-behind";
    await newChat(hub, name, "holdanth");
    await send(hub, name, "first\r");
    const [first] = await heldReplies(1);
    const chat = hub.cli(["chat", name], { input: "second\n/quit\n" });
    // Attached, the command sends its line at once: it waits in the chat behind the reply held.
    await waitFor(
      async () => {
        const res = await hub.api(`/api/sessions/${name}/presence`);
        return ((await res.json()) as { presence: unknown[] }).presence.length > 0 || undefined;
      },
      { message: "dispatch chat attached" },
    );
    first?.finish();
    const [second] = await heldReplies(1);
    expect(second?.body.messages).toEqual([
      { role: "user", content: "first" },
      { role: "assistant", content: HELD_TEXT },
      { role: "user", content: "second" },
    ]);
    second?.finish();
    const result = await chat;
    expect(result.code, result.stderr).toBe(0);
    // The reply ahead (its start replayed on attach), then the line's own, whole: the first one
    // to end was once taken for the line's, and /quit ended the command before its reply. The
    // prompt may show between the two (drawn once the first ended, before the second began).
    expect(result.stdout.split("partial reply").length - 1).toBe(2);
    expect(result.stdout).toMatch(
      /\[c-behind\] > .*, finished\.\r\n\n(\[c-behind\] > )?partial reply, finished\.\r\n\n\[c-behind\] > $/s,
    );
  });

  it("answers a line piped to `dispatch chat` while a person at an attached terminal is mid-paste, and leaves the paste whole", async () => {
    const name = "c-mid-paste";
    await newChat(hub, name, "oai");
    // An attached terminal's paste in two inputs, as a long one comes; only its first is sent yet.
    const terminal = await hub.socket();
    let seq = 0;
    const typed = async (data: string) => {
      seq += 1;
      const reply = await terminal.request({
        type: "input",
        session: name,
        data,
        id: { stream: "attached-terminal", seq },
      });
      expect(reply.type).toBe("result");
    };
    await typed("\x1b[200~first half of a paste\n");

    // The piped line is its own message, answered; the command ends (it once waited for good).
    const chat = await hub.cli(["chat", name], { input: "piped line\n/quit\n", timeoutMs: 30_000 });
    expect(chat.code, chat.stderr).toBe(0);
    expect(chat.stdout).toContain("Hi from GPT");
    const asked = () => requests.filter((r) => r.path.startsWith("/openai")).map((r) => lastUserText(r.body));
    expect(asked()).toContain("piped line");

    // The paste goes on where it was, without the piped line in it.
    await typed("second half\x1b[201~\r");
    await waitFor(() => asked().includes("first half of a paste\nsecond half"), {
      message: "the provider got the paste whole",
    });
    expect(asked().filter((text) => text.includes("piped line"))).toEqual(["piped line"]);
    await terminal.close();
  });

  it("takes a REST message sent while a paste comes in un-numbered REST pieces as a turn of its own", async () => {
    const name = "c-rest-paste";
    await newChat(hub, name, "oai");
    // A script's paste in pieces, without input ids, and a message posted between them.
    await send(hub, name, "\x1b[200~first half of a paste\n");
    await send(hub, name, "a question\n");
    await send(hub, name, "second half\x1b[201~\r");
    await waitFor(async () => (await replies(hub, name)).length === 2, { message: "both messages answered" });
    const steps = (await chatSteps(hub, name)).map((s) =>
      s.role === "user" ? `user:${String(s.text)}` : s.role,
    );
    expect(steps).toEqual([
      "user:a question",
      "assistant",
      "user:first half of a paste\nsecond half",
      "assistant",
    ]);
  });

  it("keeps a chat through hub restarts, mid-reply and after: stored once, continued with the whole history", async () => {
    const name = "c-restart";
    await newChat(hub, name, "holdanth");
    await send(hub, name, "first question\r");
    const [inFlight] = await heldReplies(1);
    await waitFor(async () => (await storedText(hub, name)).includes("partial reply"), {
      message: "the first words of the reply",
    });
    const port = hub.port;
    const restart = async () => {
      const stopped = await hub.cli(["stop"]);
      expect(stopped.code, stopped.stderr).toBe(0);
      // Mid-reply (the first time): the reply ends while no hub runs; the host keeps it.
      inFlight?.finish();
      const started = await hub.cli(["start", "--port", String(port)]);
      expect(started.code, started.stderr).toBe(0);
    };
    const expectStoredOnce = async () => {
      const events = await storedEvents(hub, name);
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(await chatSteps(hub, name)).toEqual([
        { role: "user", text: "first question" },
        {
          role: "assistant",
          text: HELD_TEXT,
          model: "fake-claude",
          usage: { input: 11, output: 7 },
          cancelled: false,
        },
      ]);
      expect((await storedText(hub, name)).split(HELD_TEXT)).toHaveLength(2);
    };

    await restart();
    await waitFor(async () => (await replies(hub, name)).length === 1, {
      timeoutMs: 20_000,
      message: "the reply finished while the hub was down",
    });
    await expectStoredOnce();

    await restart();
    await waitFor(async () => (await sessionInfo(hub, name)).reachable === true, {
      timeoutMs: 20_000,
      message: "the host back",
    });
    await expectStoredOnce();

    await send(hub, name, "second question\r");
    const [next] = await heldReplies(1);
    expect(next?.body.messages).toEqual([
      { role: "user", content: "first question" },
      { role: "assistant", content: HELD_TEXT },
      { role: "user", content: "second question" },
    ]);
    next?.finish();
    await waitFor(async () => (await replies(hub, name)).length === 2, { message: "the second reply" });
    const exported = await hub.cli(["chat", "export", name]);
    expect(exported.stdout.split("## You")).toHaveLength(3);
    expect(exported.stdout).toContain("second question");
  });

  it("keeps at most chat.max_concurrent API calls in flight; the others say they are queued and finish later", async () => {
    const limited = { XDG_CONFIG_HOME: join(root, "limited") };
    const names = ["q1", "q2", "q3", "q4"];
    await Promise.all(names.map((name) => newChat(hub, name, "holdanth", limited)));
    expect(held).toHaveLength(0);
    resetHeldMaxOpen();

    await send(hub, "q1", "question from q1\r");
    await send(hub, "q2", "question from q2\r");
    const first = await heldReplies(2);
    await send(hub, "q3", "question from q3\r");
    await send(hub, "q4", "question from q4\r");
    for (const [name, position] of [
      ["q3", 1],
      ["q4", 2],
    ] as const) {
      const queued = await waitFor(
        async () => (await chatSteps(hub, name)).find((s) => s.role === "queued"),
        {
          message: `${name} queued`,
        },
      );
      expect(queued).toEqual({ role: "queued", position });
    }
    // Still only the first two reached the provider.
    expect(held.map((reply) => lastUserText(reply.body)).sort()).toEqual([
      "question from q1",
      "question from q2",
    ]);
    for (const name of ["q1", "q2"])
      expect((await chatSteps(hub, name)).some((s) => s.role === "queued")).toBe(false);

    for (const reply of first) reply.finish();
    const second = await waitFor(
      () =>
        held.length === 2 &&
        held.every((reply) => ["q3", "q4"].some((q) => lastUserText(reply.body).endsWith(q)))
          ? [...held]
          : undefined,
      { message: "the queued replies started" },
    );
    for (const name of ["q1", "q2"])
      await waitFor(async () => (await replies(hub, name)).length === 1, { message: `${name} replied` });
    for (const reply of second) reply.finish();
    for (const name of names) {
      const [reply] = await waitFor(async () => {
        const found = await replies(hub, name);
        return found.length === 1 ? found : undefined;
      });
      expect(reply).toMatchObject({ text: HELD_TEXT, cancelled: false });
    }
    expect(heldMaxOpen).toBe(2);
  });
});

describe("a runaway reply", () => {
  it("stops a reply that never ends at the limit, keeps what arrived; a conversation of such replies forks and revives with its newest messages", async () => {
    const name = "c-endless";
    await newChat(hub, name, "endless");
    await send(hub, name, "count forever\r");
    // Unbounded, the closing event outgrew what one message to the hub may hold: the hub
    // dropped the host's link, and again each time the host sent it once more.
    const [reply] = await waitFor(
      async () => {
        const found = await replies(hub, name);
        return found.length === 1 ? found : undefined;
      },
      { timeoutMs: 30_000, message: "the runaway reply stopped" },
    );
    expect(reply?.cancelled).toBe(true);
    const text = String(reply?.text);
    expect(text.length).toBeGreaterThan(0);
    expect(text.length).toBeLessThanOrEqual(1024 * 1024);
    expect(text).toMatch(/^x+$/);
    await waitFor(() => endlessHungUp === 1, { message: "the provider's stream closed by the host" });
    expect(await storedText(hub, name)).toContain("reply stopped: it grew past 1 MiB");
    const info = await sessionInfo(hub, name);
    expect(info.status).toBe("running");
    expect(info.reachable).toBe(true);
    const exported = await hub.cli(["chat", "export", name]);
    expect(exported.stdout).toContain("## You\n\ncount forever");

    // Two such replies are a conversation longer than a fork's request may carry (it failed)
    // or than a chat takes along: the newest messages go, and the chat says what was left out.
    await send(hub, name, "count on\r");
    await waitFor(async () => (await replies(hub, name)).length === 2, {
      timeoutMs: 30_000,
      message: "the second runaway reply stopped",
    });
    const forked = await hub.cli(["chat", "fork", name, "--name", "c-endless-fork"]);
    expect(forked.code, forked.stderr).toBe(0);
    expect((await chatSteps(hub, "c-endless-fork")).map((step) => step.role)).toEqual(["user", "assistant"]);
    expect((await chatSteps(hub, "c-endless-fork"))[0]).toMatchObject({ text: "count on" });
    expect(await storedText(hub, "c-endless-fork")).toContain("(the 2 oldest messages left out");

    // Killed, it reads as a terminal does.
    const killed = await hub.cli(["kill", name]);
    expect(killed).toMatchObject({ code: 0, stdout: `${name}: exited (killed by SIGHUP)\n` });
    await waitFor(async () => (await sessionInfo(hub, name)).status === "exited", { message: "ended" });
    const revived = await hub.cli(["revive", name]);
    expect(revived.code, revived.stderr).toBe(0);
    const restored = await waitFor(async () => {
      const text = await storedText(hub, name);
      return text.includes("conversation restored") ? text : undefined;
    });
    expect(restored).toContain("(the 2 oldest messages left out");
    expect(restored).toContain("conversation restored (2 messages)");
  });
});

describe("chats after host loss", () => {
  it("revives a chat whose host was SIGKILLed: the provider gets the whole earlier conversation", async () => {
    // The file's hub, last: losing its host ends every other test's chats too.
    const h = hub;
    await newChat(h, "c-lost", "anth");
    await send(h, "c-lost", "remember the number 7\r");
    await waitFor(async () => (await replies(h, "c-lost")).length === 1, { message: "the first reply" });
    const hostPid = h.pids().host as number;
    process.kill(hostPid, "SIGKILL");
    const lost = await waitFor(
      async () => {
        const info = await sessionInfo(h, "c-lost");
        return info.status === "exited" ? info : undefined;
      },
      { timeoutMs: 20_000, message: "host lost" },
    );
    expect(lost.reason).toBe("host lost");

    const revived = await h.cli(["revive", "c-lost"]);
    expect(revived.code, revived.stderr).toBe(0);
    expect((await sessionInfo(h, "c-lost")).status).toBe("running");
    const before = requests.length;
    await send(h, "c-lost", "which number?\r");
    await waitFor(async () => (await replies(h, "c-lost")).length === 2, {
      message: "the reply after revive",
    });
    const sent = requests.slice(before);
    expect(sent).toHaveLength(1);
    expect(sent[0]?.body.messages).toEqual([
      { role: "user", content: "remember the number 7" },
      { role: "assistant", content: "Hello from Claude" },
      { role: "user", content: "which number?" },
    ]);

    // The conversation is in the log once; the log continues past the loss without a hole.
    const steps = await chatSteps(h, "c-lost");
    expect(steps.map((s) => `${s.role}:${s.text}`)).toEqual([
      "user:remember the number 7",
      "assistant:Hello from Claude",
      "user:which number?",
      "assistant:Hello from Claude",
    ]);
    const events = await storedEvents(h, "c-lost");
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    const types = events.map((e) => e.type);
    expect(types.indexOf("exit")).toBeLessThan(types.indexOf("revived"));
    expect(await storedText(h, "c-lost")).toContain("conversation restored (2 messages)");
    const exported = await h.cli(["chat", "export", "c-lost"]);
    expect(exported.stdout.split("## You")).toHaveLength(3);
  });
});
