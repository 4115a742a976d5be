/**
 * A chat's settings as created: the CLI resolves a provider profile from the config into
 * these; the API key itself never travels: the host reads it from its own environment
 * (`apiKeyEnv`).
 */
import { z } from "zod";

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
  /** Older messages of the conversation left out of `history` (too long to carry). */
  historyOmitted: z.number().int().min(0).optional(),
});
export type ChatOptions = z.infer<typeof ChatOptions>;
