/**
 * Every way a chat's reply can fail, from the fake provider speaking the Anthropic Messages and
 * OpenAI chat-completions wire formats (their real error bodies and streams): what the session
 * shows, what `dispatch ls` shows, and what becomes of the message that was not answered; and
 * a reply the provider cut at the model's length limit, which came whole but ends mid-answer.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chatSteps, replies, send, sessionInfo, storedText } from "./chatSession.js";
import {
  CUT_TEXT,
  failFlaky,
  providerToml,
  requests,
  startFakeProvider,
  stopFakeProvider,
} from "./fakeProvider.js";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { FAILURES } from "./providerFailures.js";

let hub: HubHandle;
let root: string;
/** The test provider's URL. */
let base: string;
/** Where no provider listens. */
let downUrl: string;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-chat-errors-"));
  base = await startFakeProvider();
  // A port nothing listens on: one a server had and gave back.
  const closed = createServer();
  await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
  downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
  await new Promise((resolve) => closed.close(resolve));
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  const profiles = Object.keys(FAILURES).map((path) => {
    const type = path.endsWith("anthropic") ? "anthropic" : "openai";
    return providerToml(path.slice(1), type, `${base}${path}/${type === "openai" ? "v1" : ""}`);
  });
  writeFileSync(
    join(config, "config.toml"),
    [
      ...profiles,
      providerToml("down", "openai", `${downUrl}/v1`),
      providerToml("flaky", "anthropic", `${base}/flaky/`),
      providerToml("maxtokens-anthropic", "anthropic", `${base}/maxtokens-anthropic`),
      providerToml("maxtokens-openai", "openai", `${base}/maxtokens-openai/v1`),
    ].join("\n"),
  );
  hub = await startHub({ env: { XDG_CONFIG_HOME: join(root, "config"), TEST_CHAT_KEY: "sk-test-123" } });
});

afterAll(async () => {
  await cleanupAll();
  await stopFakeProvider();
  rmSync(root, { recursive: true, force: true });
});

/**
 * Each failure: the `error` event's code, what the session shows (what went wrong, what to
 * do), and the summary `dispatch ls` shows in FOREGROUND until the next message.
 */
const EXPECTED: [provider: string, code: string, message: RegExp, summary: string][] = [
  [
    "unauthorized-anthropic",
    "unauthorized",
    /^the provider rejected the API key in TEST_CHAT_KEY \(HTTP 401: invalid x-api-key\): put a valid key in TEST_CHAT_KEY: start the host with TEST_CHAT_KEY set \(`dispatch stop --all`, then `dispatch start`\), then `dispatch revive e-unauthorized-anthropic` starts it again, with the conversation so far$/,
    "API key rejected",
  ],
  [
    "unauthorized-openai",
    "unauthorized",
    /^the provider rejected the API key in TEST_CHAT_KEY \(HTTP 401: Incorrect API key provided: sk-test\*\*\*123\.\): put a valid key/,
    "API key rejected",
  ],
  [
    "limited-anthropic",
    "rate_limited",
    /^the provider is rate-limiting requests \(HTTP 429: Number of request tokens has exceeded your rate limit\): wait 7 s, as it asks, then send the message again$/,
    "rate-limited",
  ],
  [
    "limited-openai",
    "rate_limited",
    /\(HTTP 429: Rate limit reached for requests\): wait 7 s/,
    "rate-limited",
  ],
  [
    "server-anthropic",
    "server_error",
    /^the provider had an error on its side \(HTTP 500: Internal server error\): send the message again in a moment$/,
    "provider error",
  ],
  [
    "server-openai",
    "server_error",
    /^the provider had an error on its side \(HTTP 500: The server had an error while processing your request\. Sorry about that!\): send the message again in a moment$/,
    "provider error",
  ],
  [
    "overloaded-anthropic",
    "server_error",
    /on its side \(HTTP 529: Overloaded\): send the message again in a moment$/,
    "provider error",
  ],
  [
    "context-anthropic",
    "context_too_long",
    /^the conversation is longer than m1 takes \(HTTP 400: prompt is too long: 215000 tokens > 200000 maximum\): send a shorter message, or start a new chat \(`dispatch chat NEW --provider context-anthropic`\)$/,
    "conversation too long",
  ],
  [
    "context-openai",
    "context_too_long",
    /^the conversation is longer than m1 takes \(HTTP 400: This model's maximum context length is 128000 tokens\./,
    "conversation too long",
  ],
  [
    "nomodel-anthropic",
    "model_not_found",
    /^the provider has no model m1 \(HTTP 404: model: m1\): start a chat with a model it has \(`dispatch chat NEW --provider nomodel-anthropic --model MODEL`\), or change model in \[providers\.nomodel-anthropic\]$/,
    "no such model",
  ],
  [
    "nomodel-openai",
    "model_not_found",
    /^the provider has no model m1 \(HTTP 404: The model `m1` does not exist/,
    "no such model",
  ],
  [
    "cut-anthropic",
    "cut",
    /^the reply broke off: the connection closed \(.+\); what arrived is not kept: send the message again$/,
    "reply broke off",
  ],
  ["cut-openai", "cut", /^the reply broke off: the connection closed/, "reply broke off"],
  [
    "ended-anthropic",
    "cut",
    /^the reply broke off: .*stream ended .*; what arrived is not kept: send the message again$/,
    "reply broke off",
  ],
  [
    "ended-openai",
    "cut",
    /^the reply broke off: the provider's stream ended before the reply was complete; what arrived is not kept/,
    "reply broke off",
  ],
  [
    "midfail-anthropic",
    "server_error",
    /^the provider ended the reply with an error: Overloaded; send the message again in a moment$/,
    "provider error",
  ],
  [
    "midfail-openai",
    "server_error",
    /^the provider ended the reply with an error: Overloaded;/,
    "provider error",
  ],
  [
    "malformed-openai",
    "malformed",
    /^the provider's stream could not be read \(.+\): check that base_url in \[providers\.malformed-openai\] is an OpenAI-compatible API, then send the message again$/,
    "unreadable reply",
  ],
  [
    "down",
    "unreachable",
    /^cannot reach the provider at http:\/\/127\.0\.0\.1:\d+\/v1 \(connect ECONNREFUSED 127\.0\.0\.1:\d+\): check that it runs and that base_url in \[providers\.down\] points at it, then send the message again$/,
    "provider unreachable",
  ],
];

/** A chat on `provider`'s profile as `dispatch chat` makes it, created through the API (19 at once). */
async function createQuietly(name: string, provider: string): Promise<void> {
  const type = provider.endsWith("anthropic") || provider === "flaky" ? "anthropic" : "openai";
  const path = provider === "down" ? downUrl : `${base}/${provider}`;
  const options = {
    provider: type,
    profile: provider,
    model: "m1",
    baseUrl: `${path}/${type === "openai" ? "v1" : ""}`,
    apiKeyEnv: "TEST_CHAT_KEY",
    maxRetries: 0,
  };
  const res = await hub.api("/api/sessions", {
    method: "POST",
    body: JSON.stringify({ kind: "chat", name, options }),
  });
  expect(res.status, await res.text()).toBe(201);
}

describe("chat errors", () => {
  it("says what went wrong and what to do for every failure, in the session and in `dispatch ls`", async () => {
    const names = EXPECTED.map(([provider]) => `e-${provider}`.slice(0, 32));
    await Promise.all(EXPECTED.map(([provider], i) => createQuietly(names[i] as string, provider)));
    await Promise.all(names.map((name) => send(hub, name, "hi\r")));
    // Polled through the API (`dispatch ls` is a Node boot a try), then listed once.
    await waitFor(
      async () => {
        const infos = await Promise.all(names.map((name) => sessionInfo(hub, name)));
        return infos.every((info) => info.foreground?.startsWith("unanswered: "));
      },
      { message: "every chat's reply failed" },
    );
    const ls = await hub.cli(["ls"]);
    for (const [i, [provider, code, message, summary]] of EXPECTED.entries()) {
      const name = names[i] as string;
      const steps = await chatSteps(hub, name);
      const error = steps.find((step) => step.role === "error");
      expect(error, provider).toMatchObject({ code });
      expect(String(error?.message), provider).toMatch(message);
      const text = await storedText(hub, name);
      expect(text, provider).toContain(`\x1b[31merror: ${String(error?.message)}\x1b[0m`);
      expect(ls.stdout, provider).toMatch(
        new RegExp(`^${name}\\s+chat\\s+running\\s+unanswered: ${summary}\\s`, "m"),
      );
    }
  });
});

describe("a message whose reply failed", () => {
  it("is said to be unanswered, put back on the line, and sent again with one Enter, held once by the conversation", async () => {
    const name = "e-retry";
    const PROMPT = "\x1b[1m>\x1b[0m ";
    await createQuietly(name, "flaky");
    failFlaky(1);
    // Typed at an attached terminal, one key per input.
    for (const key of [..."hello", "\r"]) await send(hub, name, key);
    await waitFor(async () => (await chatSteps(hub, name)).some((step) => step.role === "error"), {
      message: "the reply failed",
    });
    const failed = await waitFor(
      async () => {
        const text = await storedText(hub, name);
        return text.slice(text.lastIndexOf(PROMPT) + PROMPT.length) === "hello" ? text : undefined;
      },
      { message: "the message back on the line" },
    );
    expect(failed).toContain(
      "(your message was not answered and is not part of the conversation; it is on the line below: Enter sends it again)",
    );
    expect((await sessionInfo(hub, name)).foreground).toBe("unanswered: provider error");
    expect((await hub.cli(["chat", "export", name])).stdout).not.toContain("## You");

    await send(hub, name, "\r");
    await waitFor(async () => (await replies(hub, name)).length === 1, { message: "the reply to the retry" });
    // The retry asked with the message once: the failed turn was not carried along.
    const flakyAsked = requests.filter((r) => r.path.startsWith("/flaky/")).map((r) => r.body.messages);
    expect(flakyAsked).toEqual([[{ role: "user", content: "hello" }], [{ role: "user", content: "hello" }]]);
    expect((await chatSteps(hub, name)).map((step) => `${step.role}:${step.text ?? step.code}`)).toEqual([
      "user:hello",
      "error:server_error",
      "user:hello",
      "assistant:Hello again",
    ]);
    await waitFor(async () => (await sessionInfo(hub, name)).foreground === null, {
      message: "idle after the answer",
    });
    expect((await hub.cli(["chat", "export", name])).stdout.split("## You\n\nhello")).toHaveLength(2);
  });

  it("shows the error in `dispatch chat`, says the message was not answered, and answers it sent again", async () => {
    const chat = await hub.cli(["chat", "e-cli", "--provider", "unauthorized-anthropic"], {
      input: "hi\n/quit\n",
    });
    expect(chat.stdout).toContain(
      "error: the provider rejected the API key in TEST_CHAT_KEY (HTTP 401: invalid x-api-key): put a valid key in TEST_CHAT_KEY",
    );
    expect(chat.stdout).toContain(
      "(your message was not answered and is not part of the conversation; send it again to retry)",
    );

    failFlaky(1);
    const flaky = await hub.cli(["chat", "e-cli-retry", "--provider", "flaky"], {
      input: "once more\nonce more\n/quit\n",
    });
    const [failed, answered] = flaky.stdout.split("(your message was not answered");
    expect(failed).toContain("error: the provider had an error on its side (HTTP 500");
    expect(answered).toContain("Hello again");
    expect((await replies(hub, "e-cli-retry")).map((step) => step.text)).toEqual(["Hello again"]);
  });
});

describe("a reply cut at the model's length limit", () => {
  const NOTE = "[reply cut at the model's length limit; ask it to continue]";
  it.each([
    ["maxtokens-anthropic", "max_tokens"],
    ["maxtokens-openai", "length"],
  ])(
    "from %s (%s) is marked in `dispatch chat`, its event, `dispatch ls` and the export",
    async (provider) => {
      const name = `m-${provider}`;
      const chat = await hub.cli(["chat", name, "--provider", provider], {
        input: "three reasons?\ncontinue\n/quit\n",
      });
      expect(chat.code, chat.stderr).toBe(0);
      // The note right under the reply's text, not taken for the model's whole answer.
      expect(chat.stdout).toMatch(new RegExp(`${literal(CUT_TEXT)}\\r?\\n\\x1b\\[2m${literal(NOTE)}`));
      const [reply] = await replies(hub, name);
      expect(reply).toMatchObject({ text: CUT_TEXT, cut: true, cancelled: false });
      // The cut reply stays in the conversation: asking it to continue carries it along.
      const asked = requests.filter((r) => r.path.startsWith(`/${provider}`)).map((r) => r.body.messages);
      expect(asked.at(-1)).toEqual([
        { role: "user", content: "three reasons?" },
        { role: "assistant", content: CUT_TEXT },
        { role: "user", content: "continue" },
      ]);
      // FOREGROUND says so until the next message (was `idle`).
      await waitFor(async () => (await sessionInfo(hub, name)).foreground === "reply cut (length limit)", {
        message: "the foreground to say the reply was cut",
      });
      expect((await hub.cli(["ls"])).stdout).toMatch(
        new RegExp(`^${name}\\s+chat\\s+running\\s+reply cut \\(length limit\\)\\s`, "m"),
      );
      expect((await hub.cli(["chat", "export", name])).stdout).toContain(
        "(reply cut at the model's length limit; ask it to continue)",
      );
    },
  );
});

function literal(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}
