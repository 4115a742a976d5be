/**
 * `chat`: a conversation with an LLM through its API, run by the host's `chat` runtime so it
 * lives, streams and replays like every other session. The CLI resolves a provider profile
 * from the config into these options; the API key itself never travels: the host reads it
 * from its own environment (`apiKeyEnv`).
 */
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import type { SessionKind } from "./kind.js";

export const ChatMessage = z.object({
  role: z.enum(["user", "assistant"]),
  text: z.string(),
});
export type ChatMessage = z.infer<typeof ChatMessage>;

export const ChatOptions = z.object({
  /** Which wire protocol: Anthropic Messages, or any OpenAI-compatible chat-completions API. */
  provider: z.enum(["anthropic", "openai"]),
  /** The profile's name in the config (for display). */
  profile: z.string().min(1).max(64),
  baseUrl: z.string().url().optional(),
  model: z.string().min(1).max(200),
  /** Name of the host environment variable holding the API key. */
  apiKeyEnv: z
    .string()
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/)
    .optional(),
  system: z.string().max(100_000).optional(),
  maxTokens: z.number().int().min(1).max(1_000_000).default(4096),
  /** SDK retries on 429/5xx/connection errors before the error is reported. */
  maxRetries: z.number().int().min(0).max(10).default(2),
  /** Concurrent API calls per host process (the most recently started chat's value applies). */
  maxConcurrent: z.number().int().min(1).max(1000).default(5),
  /** Earlier conversation (a fork, or a chat resumed from its events). */
  history: z.array(ChatMessage).max(10_000).default([]),
  forkedFrom: z.string().max(64).optional(),
});
export type ChatOptions = z.infer<typeof ChatOptions>;

export const chatKind: SessionKind = {
  name: "chat",
  label: "chat",
  runtime: "chat",
  resolveCommand: () => [],
  prepareOptions(options) {
    const parsed = ChatOptions.safeParse(options);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new DispatchError(
        "bad_request",
        `invalid chat options: '${issue?.path.join(".")}': ${issue?.message ?? "?"}`,
      );
    }
    // The history becomes the new session's own events; the record keeps only the settings.
    const { history: _history, ...settings } = parsed.data;
    return { meta: { chat: settings }, spawn: parsed.data };
  },
};
