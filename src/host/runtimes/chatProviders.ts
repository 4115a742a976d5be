/**
 * One streamed reply from an LLM API through its official client library: Anthropic Messages
 * (`@anthropic-ai/sdk`) or any OpenAI-compatible chat-completions endpoint (`openai`), which
 * covers local servers (llama.cpp, vLLM, Ollama). Failures become `ChatFailure`s with a code
 * a person can act on: the key was rejected, the provider rate-limits, cannot be reached, or
 * sent a stream that does not parse.
 */
// The client libraries are loaded on first use: a host that runs no chat (most of them) does
// not pay their start-up time and memory.
import type { ChatMessage, ChatOptions } from "../../kinds/chat/options.js";

export interface ReplyRequest {
  options: ChatOptions;
  apiKey: string | undefined;
  messages: readonly ChatMessage[];
  signal: AbortSignal;
  onText: (text: string) => void;
}

export interface Reply {
  text: string;
  model: string;
  usage: { input: number; output: number } | null;
}

export type ChatFailureCode =
  | "unauthorized"
  | "rate_limited"
  | "unreachable"
  | "malformed"
  | "provider"
  | "cancelled"
  /** The reply outgrew what one chat event may carry; stopped, what arrived is kept. */
  | "too_long";

export class ChatFailure extends Error {
  constructor(
    readonly code: ChatFailureCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = "ChatFailure";
  }
}

export async function streamReply(request: ReplyRequest): Promise<Reply> {
  const { options } = request;
  if (options.apiKeyEnv && !request.apiKey) {
    throw new ChatFailure(
      "unauthorized",
      `no API key: ${options.apiKeyEnv} is not set in the host's environment (set it where you run \`dispatch start\`)`,
    );
  }
  try {
    return options.provider === "anthropic" ? await streamAnthropic(request) : await streamOpenAi(request);
  } catch (err) {
    throw toChatFailure(err, request);
  }
}

async function streamAnthropic(request: ReplyRequest): Promise<Reply> {
  const { options } = request;
  const { default: Anthropic } = await import("@anthropic-ai/sdk");
  const client = new Anthropic({
    apiKey: request.apiKey ?? "none",
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    maxRetries: options.maxRetries,
    logLevel: "off",
  });
  const stream = client.messages.stream(
    {
      model: options.model,
      max_tokens: options.maxTokens,
      messages: request.messages.map((m) => ({ role: m.role, content: m.text })),
      ...(options.system ? { system: options.system } : {}),
    },
    { signal: request.signal },
  );
  stream.on("text", (delta) => request.onText(delta));
  const message = await stream.finalMessage();
  const text = message.content.map((block) => (block.type === "text" ? block.text : "")).join("");
  return {
    text,
    model: message.model || options.model,
    usage: { input: message.usage.input_tokens, output: message.usage.output_tokens },
  };
}

async function streamOpenAi(request: ReplyRequest): Promise<Reply> {
  const { options } = request;
  const { default: OpenAI } = await import("openai");
  const client = new OpenAI({
    apiKey: request.apiKey ?? "none",
    ...(options.baseUrl ? { baseURL: options.baseUrl } : {}),
    maxRetries: options.maxRetries,
    logLevel: "off",
  });
  const messages = request.messages.map((m) => ({ role: m.role, content: m.text }));
  const stream = await client.chat.completions.create(
    {
      model: options.model,
      messages: options.system
        ? [{ role: "system" as const, content: options.system }, ...messages]
        : messages,
      max_completion_tokens: options.maxTokens,
      stream: true,
      stream_options: { include_usage: true },
    },
    { signal: request.signal },
  );
  let text = "";
  let model = options.model;
  let usage: Reply["usage"] = null;
  let finished = false;
  for await (const chunk of stream) {
    if (chunk.model) model = chunk.model;
    if (chunk.usage) usage = { input: chunk.usage.prompt_tokens, output: chunk.usage.completion_tokens };
    for (const choice of chunk.choices ?? []) {
      const delta = choice.delta?.content;
      if (delta) {
        text += delta;
        request.onText(delta);
      }
      if (choice.finish_reason) finished = true;
    }
  }
  if (!finished)
    throw new ChatFailure("malformed", "the provider's stream ended before the reply was complete");
  return { text, model, usage };
}

function toChatFailure(err: unknown, request: ReplyRequest): ChatFailure {
  if (err instanceof ChatFailure) return err;
  const where = request.options.baseUrl ?? request.options.provider;
  if (request.signal.aborted || isNamed(err, "APIUserAbortError") || isNamed(err, "AbortError"))
    return new ChatFailure("cancelled", "cancelled", { cause: err });
  if (isNamed(err, "APIConnectionError") || isNamed(err, "APIConnectionTimeoutError")) {
    return new ChatFailure("unreachable", `cannot reach the provider at ${where}: ${detail(err)}`, {
      cause: err,
    });
  }
  const status = (err as { status?: unknown }).status;
  if (typeof status === "number") {
    if (status === 401 || status === 403) {
      const key = request.options.apiKeyEnv ? ` (the key in ${request.options.apiKeyEnv})` : "";
      return new ChatFailure("unauthorized", `the provider rejected the API key${key}: HTTP ${status}`, {
        cause: err,
      });
    }
    if (status === 429) {
      const wait = retryAfterSeconds(err);
      const when =
        wait === undefined ? "try again later" : `it asks to wait ${wait} s before the next request`;
      return new ChatFailure("rate_limited", `the provider is rate-limiting requests (HTTP 429); ${when}`, {
        cause: err,
      });
    }
    return new ChatFailure("provider", `the provider answered HTTP ${status}: ${providerMessage(err)}`, {
      cause: err,
    });
  }
  // An error event in a stream that had begun (an overloaded model): the provider's own words.
  if (isNamed(err, "APIError")) {
    return new ChatFailure(
      "provider",
      `the provider ended the reply with an error: ${providerMessage(err)}`,
      {
        cause: err,
      },
    );
  }
  return new ChatFailure("malformed", `the provider's stream could not be read: ${detail(err)}`, {
    cause: err,
  });
}

function isNamed(err: unknown, name: string): boolean {
  return err instanceof Error && (err.name === name || err.constructor.name === name);
}

/** The error's message as the provider worded it, without the SDK's status prefix or JSON. */
function providerMessage(err: unknown): string {
  const body = (err as { error?: unknown }).error as
    | { message?: unknown; error?: { message?: unknown } }
    | undefined;
  const message = body?.error?.message ?? body?.message;
  if (typeof message === "string" && message.length > 0) return detail(new Error(message));
  return detail(err);
}

/** The wait a 429 asks for (`retry-after`: seconds or an HTTP date), in whole seconds. */
function retryAfterSeconds(err: unknown): number | undefined {
  const headers = (err as { headers?: unknown }).headers;
  const value = headers instanceof Headers ? headers.get("retry-after") : null;
  if (!value) return undefined;
  const seconds = /^\d+(\.\d+)?$/.test(value.trim())
    ? Number(value)
    : (Date.parse(value) - Date.now()) / 1000;
  return Number.isFinite(seconds) ? Math.max(0, Math.ceil(seconds)) : undefined;
}

function detail(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  return message.replace(/\s+/g, " ").slice(0, 300);
}
