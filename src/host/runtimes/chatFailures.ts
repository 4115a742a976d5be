/**
 * Why a chat's reply failed, in words a person can act on: what went wrong (with the
 * provider's own words where it sent some) and what to do about it. The SDKs' errors (HTTP
 * statuses with the provider's error body, connection errors, a stream that breaks off or does
 * not parse) become `ChatFailure`s with a code (the `chat {role:"error"}` event's) and a
 * summary short enough for `dispatch ls`.
 */
import type { ChatOptions } from "../../kinds/chat/options.js";

export type ChatFailureCode =
  /** The key is missing, rejected (401) or not allowed (403). */
  | "unauthorized"
  | "rate_limited"
  /** No connection to the provider (refused, DNS, TLS, timeout). */
  | "unreachable"
  /** An error on the provider's side (HTTP 5xx, overloaded). */
  | "server_error"
  /** The conversation is longer than the model's context window. */
  | "context_too_long"
  | "model_not_found"
  /** The reply broke off: the connection closed or the stream ended before its end. */
  | "cut"
  /** What came back is not the provider's wire format (a wrong `base_url`, a proxy's page). */
  | "malformed"
  /** Any other refusal or error the provider sent, in its words. */
  | "provider"
  | "cancelled"
  /** The reply outgrew what one chat event may carry; stopped, what arrived is kept. */
  | "too_long";

export class ChatFailure extends Error {
  constructor(
    readonly code: ChatFailureCode,
    message: string,
    options?: { cause?: unknown; summary?: string },
  ) {
    super(message, options);
    this.name = "ChatFailure";
    this.summary = options?.summary ?? SUMMARIES[code];
  }

  /** A few words for `dispatch ls` (`unanswered: SUMMARY`). */
  readonly summary: string;
}

const SUMMARIES: Record<ChatFailureCode, string> = {
  unauthorized: "API key rejected",
  rate_limited: "rate-limited",
  unreachable: "provider unreachable",
  server_error: "provider error",
  context_too_long: "conversation too long",
  model_not_found: "no such model",
  cut: "reply broke off",
  malformed: "unreadable reply",
  provider: "provider refused",
  cancelled: "cancelled",
  too_long: "reply too long",
};

/** What to do after most failures: the message is not part of the conversation. */
const SEND_AGAIN = "send the message again";

/**
 * How a key reaches a chat: the host reads it from its environment when it starts, which ends
 * the chat; `reviveAdvice` (by the chat's name, `kinds/reviveAdvice.ts`) starts it again.
 */
function restartWithKey(env: string, reviveAdvice: string): string {
  return `start the host with ${env} set (\`dispatch stop --all\`, then \`dispatch start\`), then ${reviveAdvice}`;
}

/** The failure for a chat whose API key variable (`env`) is not set on the host. */
export function missingKey(env: string, reviveAdvice: string): ChatFailure {
  return new ChatFailure(
    "unauthorized",
    `no API key: ${env} is not set in the host's environment: ${restartWithKey(env, reviveAdvice)}`,
    { summary: "no API key" },
  );
}

/** The reply's stream ended without its end (no finish reason, no `message_stop`). */
export function streamEndedEarly(): ChatFailure {
  return new ChatFailure("cut", cutMessage("the provider's stream ended before the reply was complete"));
}

/** `err` from an SDK call, as the person reads it; `reviveAdvice` names the chat to start again. */
export function toChatFailure(
  err: unknown,
  request: { options: ChatOptions; signal: AbortSignal; reviveAdvice: string },
): ChatFailure {
  if (err instanceof ChatFailure) return err;
  const { options } = request;
  const where = options.baseUrl ?? options.provider;
  const profile = `[providers.${options.profile}]`;
  if (request.signal.aborted || isNamed(err, "APIUserAbortError") || isNamed(err, "AbortError"))
    return new ChatFailure("cancelled", "cancelled", { cause: err });
  if (isNamed(err, "APIConnectionError") || isNamed(err, "APIConnectionTimeoutError")) {
    return new ChatFailure(
      "unreachable",
      `cannot reach the provider at ${where} (${connectionDetail(err)}): check that it runs and that base_url in ${profile} points at it, then ${SEND_AGAIN}`,
      { cause: err },
    );
  }
  const answer = providerAnswer(err);
  if (answer.status !== undefined)
    return fromStatus(err, { ...answer, status: answer.status }, options, request.reviveAdvice);
  // An error event in a stream that had begun (an overloaded model): the provider's own words.
  if (isNamed(err, "APIError")) {
    return new ChatFailure(
      "server_error",
      `the provider ended the reply with an error: ${answer.message}; ${SEND_AGAIN} in a moment`,
      { cause: err },
    );
  }
  // undici's word for a response body whose connection closed midway; the SDKs' for a stream
  // that ended without its closing events.
  if (/^terminated$|stream ended without|ended before/i.test(answer.message))
    return new ChatFailure("cut", cutMessage(`the connection closed (${connectionDetail(err)})`), {
      cause: err,
    });
  const wire = options.provider === "anthropic" ? "an Anthropic Messages API" : "an OpenAI-compatible API";
  return new ChatFailure(
    "malformed",
    `the provider's stream could not be read (${answer.message}): check that base_url in ${profile} is ${wire}, then ${SEND_AGAIN}`,
    { cause: err },
  );
}

interface Answer {
  status: number;
  message: string;
  type: string | undefined;
  code: string | undefined;
}

function fromStatus(err: unknown, answer: Answer, options: ChatOptions, reviveAdvice: string): ChatFailure {
  const { status } = answer;
  const said = `HTTP ${status}: ${answer.message}`;
  const profile = `[providers.${options.profile}]`;
  const fail = (code: ChatFailureCode, message: string) => new ChatFailure(code, message, { cause: err });
  if (status === 401 || status === 403) {
    const key = options.apiKeyEnv ? `the API key in ${options.apiKeyEnv}` : "the request (no API key is set)";
    const fix = options.apiKeyEnv
      ? `put a valid key in ${options.apiKeyEnv}: ${restartWithKey(options.apiKeyEnv, reviveAdvice)}`
      : `set api_key_env in ${profile}`;
    return fail("unauthorized", `the provider rejected ${key} (${said}): ${fix}`);
  }
  if (status === 429) {
    const wait = retryAfterSeconds(err);
    const when = wait === undefined ? "wait a minute" : `wait ${wait} s, as it asks`;
    return fail(
      "rate_limited",
      `the provider is rate-limiting requests (${said}): ${when}, then ${SEND_AGAIN}`,
    );
  }
  if (isContextTooLong(answer)) {
    return fail(
      "context_too_long",
      `the conversation is longer than ${options.model} takes (${said}): send a shorter message, or start a new chat (\`dispatch chat NEW --provider ${options.profile}\`)`,
    );
  }
  if (isModelNotFound(answer)) {
    return fail(
      "model_not_found",
      `the provider has no model ${options.model} (${said}): start a chat with a model it has (\`dispatch chat NEW --provider ${options.profile} --model MODEL\`), or change model in ${profile}`,
    );
  }
  if (status === 404)
    return fail(
      "provider",
      `the provider has no such API at ${options.baseUrl ?? options.provider} (${said}): check base_url in ${profile}`,
    );
  if (status >= 500)
    return fail("server_error", `the provider had an error on its side (${said}): ${SEND_AGAIN} in a moment`);
  return fail("provider", `the provider refused the request (${said}): check ${profile} (model, max_tokens)`);
}

function cutMessage(what: string): string {
  return `the reply broke off: ${what}; what arrived is not kept: ${SEND_AGAIN}`;
}

/** A 400 (413) for a prompt over the context window, as Anthropic, OpenAI, llama.cpp and vLLM word it. */
function isContextTooLong(answer: Answer): boolean {
  if (answer.status !== 400 && answer.status !== 413) return false;
  if (answer.code === "context_length_exceeded" || answer.type === "exceed_context_size_error") return true;
  return /prompt is too long|context length|context size|context window|maximum context|too many tokens/i.test(
    answer.message,
  );
}

/** A 404 (or 400) naming the model: Anthropic's `model: NAME`, OpenAI's `model_not_found`, Ollama's `model "x" not found`. */
function isModelNotFound(answer: Answer): boolean {
  if (answer.code === "model_not_found") return true;
  return answer.status === 404 && /\bmodel\b/i.test(answer.message);
}

/** The status and error body of an SDK error, in the provider's own words without the SDK's prefix. */
function providerAnswer(err: unknown): Omit<Answer, "status"> & { status: number | undefined } {
  const { status, error, code, type } = err as {
    status?: unknown;
    error?: unknown;
    code?: unknown;
    type?: unknown;
  };
  // Anthropic's SDK keeps the whole body (`{type:"error", error:{type, message}}`), OpenAI's
  // the body's `error` (`{message, type, code}`).
  const body = (error ?? {}) as {
    message?: unknown;
    type?: unknown;
    error?: { message?: unknown; type?: unknown };
  };
  const message = body.error?.message ?? body.message;
  const kind = body.error?.type ?? body.type ?? type;
  return {
    status: typeof status === "number" ? status : undefined,
    message: oneLine(typeof message === "string" && message.length > 0 ? message : errorText(err)),
    type: typeof kind === "string" ? kind : undefined,
    code: typeof code === "string" ? code : undefined,
  };
}

/** Why a connection failed: the innermost cause (`ECONNREFUSED: connect ECONNREFUSED …`), not the SDK's "Connection error.". */
function connectionDetail(err: unknown): string {
  let root = err;
  for (let depth = 0; depth < 5 && root instanceof Error && root.cause instanceof Error; depth++)
    root = root.cause;
  const code = (root as { code?: unknown }).code;
  const text = oneLine(errorText(root));
  return typeof code === "string" && !text.includes(code) ? `${code}: ${text}` : text;
}

function isNamed(err: unknown, name: string): boolean {
  return err instanceof Error && (err.name === name || err.constructor.name === name);
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

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, " ").trim().slice(0, 300);
}
