/**
 * One streamed reply from an LLM API through its official client library: Anthropic Messages
 * (`@anthropic-ai/sdk`) or any OpenAI-compatible chat-completions endpoint (`openai`), which
 * covers local servers (llama.cpp, vLLM, Ollama). Failures become `ChatFailure`s that say
 * what went wrong and what to do (`chatFailures`).
 */
// The client libraries are loaded on first use: a host that runs no chat (most of them) does
// not pay their start-up time and memory.
import { importModule } from "../../core/importModule.js";
import type { ChatMessage, ChatOptions } from "../../kinds/chat/options.js";
import { missingKey, streamEndedEarly, toChatFailure } from "./chatFailures.js";

export interface ReplyRequest {
  options: ChatOptions;
  apiKey: string | undefined;
  messages: readonly ChatMessage[];
  signal: AbortSignal;
  onText: (text: string) => void;
  /** What starts this chat again, by its name (`reviveAdvice`): a key's fix ends the chat. */
  reviveAdvice: string;
}

export interface Reply {
  text: string;
  model: string;
  usage: { input: number; output: number } | null;
  /**
   * The provider stopped it at the request's token limit (Anthropic `stop_reason: "max_tokens"`,
   * OpenAI `finish_reason: "length"`): the text ends mid-answer, though it came whole.
   */
  cut: boolean;
}

export async function streamReply(request: ReplyRequest): Promise<Reply> {
  const { options } = request;
  if (options.apiKeyEnv && !request.apiKey) {
    throw missingKey(options.apiKeyEnv, request.reviveAdvice);
  }
  try {
    return options.provider === "anthropic" ? await streamAnthropic(request) : await streamOpenAi(request);
  } catch (err) {
    throw toChatFailure(err, request);
  }
}

async function streamAnthropic(request: ReplyRequest): Promise<Reply> {
  const { options } = request;
  const { default: Anthropic } = await importModule<typeof import("@anthropic-ai/sdk")>("@anthropic-ai/sdk");
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
    cut: message.stop_reason === "max_tokens",
  };
}

async function streamOpenAi(request: ReplyRequest): Promise<Reply> {
  const { options } = request;
  const { default: OpenAI } = await importModule<typeof import("openai")>("openai");
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
  let cut = false;
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
      if (choice.finish_reason === "length") cut = true;
    }
  }
  if (!finished) throw streamEndedEarly();
  return { text, model, usage, cut };
}
