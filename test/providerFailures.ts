/**
 * Each way a provider's reply fails, as the Anthropic and OpenAI APIs answer it (their real
 * error bodies, and streams that break off, end early or cannot be read), by the path the
 * fake provider serves it at: a profile whose base_url names `/PATH/` gets that failure.
 */
import type { ServerResponse } from "node:http";
import {
  anthropicError,
  anthropicStream,
  openAiError,
  openAiStream,
  type SseEvent,
  sse,
  sseWrite,
} from "./providerWire.js";

/** A stream that breaks off: the opening and first words, then the connection is dropped. */
function cut(res: ServerResponse, stream: { head: SseEvent[]; deltas: SseEvent[] }): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  sseWrite(res, stream.head);
  // Dropped once the first words are on their way: the client has them, then the hang-up.
  const [first] = stream.deltas as [SseEvent];
  res.write(
    `data: ${JSON.stringify(first[1])}\n\n`.replace(/^/, first[0] ? `event: ${first[0]}\n` : ""),
    () => res.socket?.destroy(),
  );
}

/** Each failure as the provider's API answers it, by the path its profile's base_url names. */
export const FAILURES: Record<string, (res: ServerResponse) => void> = {
  "/unauthorized-anthropic": (res) => anthropicError(res, 401, "authentication_error", "invalid x-api-key"),
  "/unauthorized-openai": (res) =>
    openAiError(res, 401, {
      message: "Incorrect API key provided: sk-test***123.",
      type: "invalid_request_error",
      code: "invalid_api_key",
    }),
  "/limited-anthropic": (res) => {
    res.setHeader("retry-after", "7");
    anthropicError(res, 429, "rate_limit_error", "Number of request tokens has exceeded your rate limit");
  },
  "/limited-openai": (res) => {
    res.setHeader("retry-after", "7");
    openAiError(res, 429, {
      message: "Rate limit reached for requests",
      type: "requests",
      code: "rate_limit_exceeded",
    });
  },
  "/server-anthropic": (res) => anthropicError(res, 500, "api_error", "Internal server error"),
  "/server-openai": (res) =>
    openAiError(res, 500, {
      message: "The server had an error while processing your request. Sorry about that!",
      type: "server_error",
    }),
  "/overloaded-anthropic": (res) => anthropicError(res, 529, "overloaded_error", "Overloaded"),
  "/context-anthropic": (res) =>
    anthropicError(res, 400, "invalid_request_error", "prompt is too long: 215000 tokens > 200000 maximum"),
  "/context-openai": (res) =>
    openAiError(res, 400, {
      message:
        "This model's maximum context length is 128000 tokens. However, your messages resulted in 130001 tokens. Please reduce the length of the messages.",
      type: "invalid_request_error",
      code: "context_length_exceeded",
    }),
  "/nomodel-anthropic": (res) => anthropicError(res, 404, "not_found_error", "model: m1"),
  "/nomodel-openai": (res) =>
    openAiError(res, 404, {
      message: "The model `m1` does not exist or you do not have access to it.",
      type: "invalid_request_error",
      code: "model_not_found",
    }),
  "/cut-anthropic": (res) => cut(res, anthropicStream(["Hello", " there"])),
  "/cut-openai": (res) => cut(res, openAiStream(["Hi", " there"])),
  "/midfail-anthropic": (res) => {
    // Overloaded after the first words: the stream's own error event, as the API sends it.
    const stream = anthropicStream(["Hello"]);
    sse(res, [
      ...stream.head,
      ...stream.deltas,
      ["error", { type: "error", error: { type: "overloaded_error", message: "Overloaded" } }],
    ]);
  },
  "/midfail-openai": (res) => {
    const stream = openAiStream(["Hi"]);
    sse(res, [
      ...stream.head,
      ...stream.deltas,
      [undefined, { error: { message: "Overloaded", type: "server_error" } }],
    ]);
  },
  // A stream that ends (the connection closed as it should) before its closing events.
  "/ended-anthropic": (res) =>
    sse(res, [...anthropicStream(["Hello"]).head, ...anthropicStream(["Hello"]).deltas]),
  "/ended-openai": (res) => sse(res, [...openAiStream(["Hi"]).head, ...openAiStream(["Hi"]).deltas]),
  "/malformed-openai": (res) => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.end("data: {this is not json\n\n");
  },
};
