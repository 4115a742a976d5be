/**
 * Chat sessions against local HTTP servers that speak the Anthropic Messages and OpenAI
 * chat-completions streaming wire formats, driven through the official SDKs in the host.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub } from "./harness.js";

let hub: HubHandle;
let root: string;
let server: Server;
const requests: { path: string; body: Record<string, unknown>; auth: string | undefined }[] = [];

function sse(res: ServerResponse, events: [string | undefined, unknown][]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  for (const [event, data] of events) {
    res.write(
      `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
    );
  }
  res.end();
}

function anthropicReply(res: ServerResponse, words: string[]): void {
  sse(res, [
    [
      "message_start",
      {
        type: "message_start",
        message: {
          id: "msg_1",
          type: "message",
          role: "assistant",
          model: "fake-claude",
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: { input_tokens: 11, output_tokens: 0 },
        },
      },
    ],
    [
      "content_block_start",
      { type: "content_block_start", index: 0, content_block: { type: "text", text: "" } },
    ],
    ...words.map(
      (text) =>
        [
          "content_block_delta",
          { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
        ] as [string, unknown],
    ),
    ["content_block_stop", { type: "content_block_stop", index: 0 }],
    [
      "message_delta",
      {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: 7 },
      },
    ],
    ["message_stop", { type: "message_stop" }],
  ]);
}

function openAiReply(res: ServerResponse, words: string[]): void {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "fake-gpt",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  sse(res, [
    [undefined, chunk({ role: "assistant", content: "" }, null)],
    ...words.map((content) => [undefined, chunk({ content }, null)] as [undefined, unknown]),
    [undefined, chunk({}, "stop")],
    [
      undefined,
      {
        id: "c1",
        object: "chat.completion.chunk",
        created: 1,
        model: "fake-gpt",
        choices: [],
        usage: { prompt_tokens: 3, completion_tokens: 4, total_tokens: 7 },
      },
    ],
    [undefined, "[DONE]"],
  ]);
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  let text = "";
  for await (const chunk of req) text += chunk;
  const body = JSON.parse(text || "{}") as Record<string, unknown>;
  const path = req.url ?? "";
  requests.push({ path, body, auth: (req.headers["x-api-key"] as string) ?? req.headers.authorization });
  if (path.startsWith("/unauthorized")) {
    res.writeHead(401, { "content-type": "application/json" });
    res.end(
      JSON.stringify({
        type: "error",
        error: { type: "authentication_error", message: "invalid x-api-key" },
      }),
    );
  } else if (path.startsWith("/limited")) {
    res.writeHead(429, { "content-type": "application/json" });
    res.end(JSON.stringify({ error: { message: "slow down", type: "rate_limit" } }));
  } else if (path.startsWith("/malformed")) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end("data: {this is not json\n\n");
  } else if (path.startsWith("/anthropic")) {
    anthropicReply(res, ["Hello", " from", " Claude"]);
  } else {
    openAiReply(res, ["Hi", " from", " GPT"]);
  }
}

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), "dispatch-chat-"));
  server = createServer((req, res) => void handle(req, res));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = join(root, "config", "dispatch");
  mkdirSync(config, { recursive: true });
  const provider = (name: string, type: string, url: string) =>
    [
      `[providers.${name}]`,
      `type = "${type}"`,
      `base_url = "${url}"`,
      'model = "m1"',
      'api_key_env = "TEST_CHAT_KEY"',
      "max_retries = 0",
      "",
    ].join("\n");
  writeFileSync(
    join(config, "config.toml"),
    [
      provider("anth", "anthropic", `${base}/anthropic`),
      provider("oai", "openai", `${base}/openai/v1`),
      provider("badkey", "anthropic", `${base}/unauthorized`),
      provider("limited", "openai", `${base}/limited/v1`),
      provider("malformed", "openai", `${base}/malformed/v1`),
      provider("down", "openai", "http://127.0.0.1:1/v1"),
    ].join("\n"),
  );
  hub = await startHub({ env: { XDG_CONFIG_HOME: join(root, "config"), TEST_CHAT_KEY: "sk-test-123" } });
});

afterAll(async () => {
  await cleanupAll();
  await new Promise((resolve) => server.close(resolve));
  rmSync(root, { recursive: true, force: true });
});

describe("chat sessions", () => {
  it("streams an Anthropic reply through the SDK, exports and forks the conversation", async () => {
    const chat = await hub.cli(["chat", "c-anth", "--provider", "anth"], { input: "hello there\n/quit\n" });
    expect(chat.stderr).toBe("");
    expect(chat.stdout).toContain("[c-anth] > ");
    expect(chat.stdout).toContain("Hello from Claude");
    const sent = requests.find((r) => r.path.startsWith("/anthropic"));
    expect(sent?.auth).toContain("sk-test-123");
    expect(sent?.body.messages).toEqual([{ role: "user", content: "hello there" }]);
    expect(sent?.body.stream).toBe(true);

    const exported = await hub.cli(["chat", "export", "c-anth"]);
    expect(exported.stdout).toContain("## You\n\nhello there");
    expect(exported.stdout).toContain("## Assistant (fake-claude)\n\nHello from Claude");
    expect(exported.stdout).toContain("Tokens: 11 in, 7 out");

    const forked = await hub.cli(["chat", "fork", "c-anth", "--name", "c-fork"]);
    expect(forked.stdout.trim()).toBe("c-fork");
    const again = await hub.cli(["chat", "c-fork"], { input: "and again\n/quit\n" });
    expect(again.stdout).toContain("Hello from Claude");
    const last = requests.filter((r) => r.path.startsWith("/anthropic")).at(-1);
    expect(last?.body.messages).toEqual([
      { role: "user", content: "hello there" },
      { role: "assistant", content: "Hello from Claude" },
      { role: "user", content: "and again" },
    ]);
  });

  it("streams an OpenAI-compatible reply", async () => {
    const chat = await hub.cli(["chat", "c-oai", "--provider", "oai"], { input: "hi\n/quit\n" });
    expect(chat.stdout).toContain("Hi from GPT");
    const exported = await hub.cli(["chat", "export", "c-oai"]);
    expect(exported.stdout).toContain("Tokens: 3 in, 4 out");
  });

  it.each([
    ["badkey", "rejected the API key"],
    ["limited", "rate-limiting"],
    ["malformed", "could not be read"],
    ["down", "cannot reach the provider"],
  ])("reports a clear error from provider %s instead of hanging", async (provider, message) => {
    const chat = await hub.cli(["chat", `c-${provider}`, "--provider", provider], { input: "hi\n/quit\n" });
    expect(chat.stdout).toContain(`error: `);
    expect(chat.stdout).toContain(message);
    const exported = await hub.cli(["chat", "export", `c-${provider}`]);
    expect(exported.stdout).not.toContain("## You");
  });
});
