/**
 * The streaming wire formats of the Anthropic Messages API and of OpenAI chat completions, as
 * a local test server writes them (server-sent events), and the errors each API answers with.
 * The host reads them through the official SDKs, as it reads the real APIs.
 */
import type { ServerResponse } from "node:http";

export type SseEvent = [string | undefined, unknown];

export function sseWrite(res: ServerResponse, events: SseEvent[]): void {
  for (const [event, data] of events) {
    res.write(
      `${event ? `event: ${event}\n` : ""}data: ${typeof data === "string" ? data : JSON.stringify(data)}\n\n`,
    );
  }
}

export function sse(res: ServerResponse, events: SseEvent[]): void {
  res.writeHead(200, { "content-type": "text/event-stream" });
  sseWrite(res, events);
  res.end();
}

/**
 * An Anthropic Messages stream in three parts: opening events, one delta per word, closing
 * events; `stopReason` `max_tokens` is a reply cut at the request's token limit.
 */
export function anthropicStream(
  words: string[],
  stopReason: "end_turn" | "max_tokens" = "end_turn",
): { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] } {
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
          delta: { stop_reason: stopReason, stop_sequence: null },
          usage: { output_tokens: 7 },
        },
      ],
      ["message_stop", { type: "message_stop" }],
    ],
  };
}

/** An OpenAI chat-completions stream, in the same three parts (`length`: cut at the token limit). */
export function openAiStream(
  words: string[],
  finishReason: "stop" | "length" = "stop",
): { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] } {
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
      [undefined, chunk({}, finishReason)],
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

export function whole(stream: { head: SseEvent[]; deltas: SseEvent[]; tail: SseEvent[] }): SseEvent[] {
  return [...stream.head, ...stream.deltas, ...stream.tail];
}

/** An error answer as the Anthropic API sends it (`{type:"error", error:{type, message}}`). */
export function anthropicError(res: ServerResponse, status: number, type: string, message: string): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ type: "error", error: { type, message } }));
}

/** An error answer as OpenAI-compatible APIs send it (`{error:{message, type, code}}`). */
export function openAiError(
  res: ServerResponse,
  status: number,
  error: { message: string; type: string; code?: string | null },
): void {
  res.writeHead(status, { "content-type": "application/json" });
  res.end(JSON.stringify({ error: { param: null, code: null, ...error } }));
}
