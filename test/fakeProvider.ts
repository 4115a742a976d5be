/**
 * A local HTTP server that speaks the Anthropic Messages and OpenAI chat-completions streaming
 * wire formats (providerWire.ts), as the chat tests' LLM provider: each request's path picks a
 * behaviour (a whole reply, one cut at the token limit, a reply held open until the test finishes it, one of the failures
 * of providerFailures.ts, one that fails until told otherwise, an endless stream).
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { waitFor } from "./harness.js";
import { FAILURES } from "./providerFailures.js";
import {
  anthropicError,
  anthropicStream,
  openAiStream,
  type SseEvent,
  sse,
  sseWrite,
  whole,
} from "./providerWire.js";

/** Every request the provider received, in order, its body read whole as UTF-8. */
export const requests: { path: string; body: Record<string, unknown>; auth: string | undefined }[] = [];
let server: Server | undefined;

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

/** A reply the provider stops at the request's token limit, mid-sentence. */
export const CUT_WORDS = ["The three reasons are:", " first, the"];
export const CUT_TEXT = CUT_WORDS.join("");

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

/** How many more answers of `/flaky/` fail with HTTP 500 before it answers again. */
let flakyFailures = 0;

/** Makes the next `count` answers of `/flaky/` fail with HTTP 500. */
export function failFlaky(count: number): void {
  flakyFailures = count;
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
  const failure = Object.entries(FAILURES).find(([prefix]) => path.startsWith(`${prefix}/`));
  if (path.startsWith("/flaky/")) {
    if (flakyFailures > 0) {
      flakyFailures--;
      anthropicError(res, 500, "api_error", "Internal server error");
    } else sse(res, whole(anthropicStream(["Hello", " again"])));
  } else if (failure) failure[1](res);
  else if (path.startsWith("/endless")) {
    endlessReply(res);
  } else if (path.startsWith("/hold-anthropic")) {
    holdReply(res, path, body, anthropicStream([...HELD_FIRST, ...HELD_REST]));
  } else if (path.startsWith("/hold-openai")) {
    holdReply(res, path, body, openAiStream([...HELD_FIRST, ...HELD_REST]));
  } else if (path.startsWith("/maxtokens-anthropic")) {
    sse(res, whole(anthropicStream(CUT_WORDS, "max_tokens")));
  } else if (path.startsWith("/maxtokens-openai")) {
    sse(res, whole(openAiStream(CUT_WORDS, "length")));
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
export function providerToml(name: string, type: "anthropic" | "openai", url: string): string {
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
