/**
 * A local HTTP server that speaks the Anthropic Messages and OpenAI chat-completions streaming
 * wire formats, as the chat tests' LLM provider: each request's path picks a behaviour (a
 * whole reply, a reply held open until the test finishes it, an error, an endless stream).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { waitFor } from "./harness.js";

/** Every request the provider received, in order, its body read whole as UTF-8. */
export const requests: { path: string; body: Record<string, unknown>; auth: string | undefined }[] = [];
let server: Server | undefined;

type SseEvent = [string | undefined, unknown];

function sseWrite(res: ServerResponse, events: SseEvent[]): void {
  for (const [event, data] of events) {
    res.write(
      `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
    );
  }
}

function sse(res: ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  sseWrite(res, events);
  res.end();
}

/** An Anthropic Messages stream in three parts: opening events, one delta per word, closing events. */
function anthropicStream(words: string[]): { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] } {
  return {
    head: [
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
    ],
    deltas: words.map((text) => [
      "content_block_delta",
      { type: "content_block_delta", index: 0, delta: { type: "text_delta", text } },
    ]),
    tail: [
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
    ],
  };
}

/** An OpenAI chat-completions stream, in the same three parts. */
function openAiStream(words: string[]): { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] } {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id: "c1",
    object: "chat.completion.chunk",
    created: 1,
    model: "fake-gpt",
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return {
    head: [[undefined, chunk({ role: "assistant", content: "" }, null)]],
    deltas: words.map((content) => [undefined, chunk({ content }, null)]),
    tail: [
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
    ],
  };
}

function whole(stream: { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] }): SseEvent[] {
  return [...stream.head, ...stream.deltas, ...stream.tail];
}

/** What a held reply sends at once, and what it sends when the test releases it. */
export const HELD_FIRST = ["partial", " reply"];
export const HELD_REST = [", finished."];
export const HELD_TEXT = [...HELD_FIRST, ...HELD_REST].join("");

/**
 * A reply the server has started but holds open until the test calls `finish()`, so a test
 * decides when it ends (no timing). It leaves `held` when finished or when the client hangs up.
 */
export interface Held {
  path: string;
  body: Record<string, unknown>;
  finish: () => void;
}
export const held: Held[] = [];
/** Held replies open at the server right now, and the most ever open at once. */
export let heldOpen = 0;
export let heldMaxOpen = 0;

/** Starts counting the most held replies open at once afresh, from those open now. */
export function resetHeldMaxOpen(): void {
  heldMaxOpen = heldOpen;
}
/** Held replies the client abandoned (cancelled) before they finished. */
export let heldAborted = 0;

function holdReply(
  res: ServerResponse,
  path: string,
  body: Record<string, unknown>,
  stream: { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] },
): void {
  heldOpen++;
  heldMaxOpen = Math.max(heldMaxOpen, heldOpen);
  let done = false;
  const leave = () => {
    done = true;
    heldOpen--;
    const index = held.indexOf(entry);
    if (index >= 0) held.splice(index, 1);
  };
  const entry: Held = {
    path,
    body,
    finish: () => {
      if (done) return;
      leave();
      sseWrite(res, [...stream.deltas.slice(HELD_FIRST.length), ...stream.tail]);
      res.end();
    },
  };
  res.on("close", () => {
    if (done) return;
    heldAborted++;
    leave();
  });
  res.writeHead(200, { "content-type": "text/event-stream" });
  sseWrite(res, [...stream.head, ...stream.deltas.slice(0, HELD_FIRST.length)]);
  held.push(entry);
}

/** Endless replies the client hung up on (a runaway model's stream, stopped by the host). */
export let endlessHungUp = 0;

/** An OpenAI stream that never ends: 16 KiB deltas for as long as the client reads them. */
function endlessReply(res: ServerResponse): void {
  const [opening] = openAiStream([]).head;
  const [delta] = openAiStream(["x".repeat(16 * 1024)]).deltas;
  let open = true;
  res.on("close", () => {
    open = false;
    endlessHungUp++;
  });
  res.writeHead(200, { "content-type": "text/event-stream" });
  sseWrite(res, [opening as SseEvent]);
  const more = () => {
    while (open) {
      if (!res.write(`data: ${JSON.stringify((delta as SseEvent)[1])}\n\n`)) {
        res.once("drain", more);
        return;
      }
    }
  };
  more();
}

async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
  // Decoded whole: a chunk decoded alone cut a character at its end into two U+FFFD, and a
  // long message of accented letters reached the tests with holes the host never made.
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString("utf8");
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
    res.writeHead(429, { "content-type": "application/json", "retry-after": "7" });
    res.end(JSON.stringify({ error: { message: "slow down", type: "rate_limit" } }));
  } else if (path.startsWith("/malformed")) {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end("data: {this is not json\n\n");
  } else if (path.startsWith("/midfail-anthropic")) {
    // Overloaded after the first words: the stream's own error event, as the API sends it.
    const stream = anthropicStream(["Hello"]);
    sse(res, [
      ...stream.head,
      ...stream.deltas,
      ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }],
    ]);
  } else if (path.startsWith("/midfail-openai")) {
    const stream = openAiStream(["Hi"]);
    sse(res, [
      ...stream.head,
      ...stream.deltas,
      [undefined, { error: { message: "Overloaded", type: "server_error" } }],
    ]);
  } else if (path.startsWith("/endless")) {
    endlessReply(res);
  } else if (path.startsWith("/hold-anthropic")) {
    holdReply(res, path, body, anthropicStream([...HELD_FIRST, ...HELD_REST]));
  } else if (path.startsWith("/hold-openai")) {
    holdReply(res, path, body, openAiStream([...HELD_FIRST, ...HELD_REST]));
  } else if (path.startsWith("/anthropic")) {
    sse(res, whole(anthropicStream(["Hello", " from", " Claude"])));
  } else {
    sse(res, whole(openAiStream(["Hi", " from", " GPT"])));
  }
}

/** Starts the provider; resolves with its base URL (`http://127.0.0.1:PORT`). */
export async function startFakeProvider(): Promise<string> {
  const started = createServer((req, res) => void handle(req, res));
  server = started;
  await new Promise<void>((resolve) => started.listen(0, "127.0.0.1", resolve));
  return `http://127.0.0.1:${(started.address() as AddressInfo).port}`;
}

/** Finishes what is held open and stops the provider. */
export async function stopFakeProvider(): Promise<void> {
  for (const reply of [...held]) reply.finish();
  const stopping = server;
  server = undefined;
  if (!stopping) return;
  stopping.closeAllConnections();
  await new Promise((resolve) => stopping.close(resolve));
}

/** A provider profile of the config file, at `url`, with the key from TEST_CHAT_KEY. */
export function providerToml(name: string, type: string, url: string): string {
  return [
    `[providers.${name}]`,
    `type = "${type}"`,
    `base_url = "${url}"`,
    'model = "m1"',
    'api_key_env = "TEST_CHAT_KEY"',
    "max_retries = 0",
    "",
  ].join("\n");
}

/** The last user message of a request the provider received. */
export function lastUserText(body: Record<string, unknown>): string {
  const messages = body.messages as { role: string; content: string }[];
  return messages[messages.length - 1]?.content ?? "";
}

export function heldReplies(count: number): Promise<Held[]> {
  return waitFor(() => (held.length === count ? [...held] : undefined), {
    message: `${count} replies held open at the provider (have ${held.length})`,
  });
}
