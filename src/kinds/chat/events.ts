/** The `chat` event: one step of a conversation (see `ChatData`). */
import { z } from "zod";

/** What a reply cut at the model's length limit is marked with, wherever it is shown. */
export const CUT_REPLY_NOTE = "reply cut at the model's length limit; ask it to continue";

export const ChatUsage = z.object({ input: z.number().int(), output: z.number().int() });
/**
 * A chat step. The assistant's text also streams as `output` bytes (so terminals show it);
 * these events carry the conversation itself, so it can be resumed, forked and exported.
 * - `user`: a message the person sent.
 * - `assistant`: the complete reply (`cancelled` when stopped midway, by the person or at the
 *   host's bound on one reply's size; `text` is what arrived; `cut` when the provider stopped it
 *   at the model's length limit, so it ends mid-answer).
 * - `error`: the reply failed (`code`: unauthorized, rate_limited, unreachable, server_error,
 *   context_too_long, model_not_found, cut, malformed, provider; `message` says what went wrong
 *   and what to do); the user message before it is not part of the conversation.
 * - `queued`: the reply waits for a free slot under the host's concurrency limit.
 */
export const ChatData = z.discriminatedUnion("role", [
  z.object({ role: z.literal("user"), text: z.string() }),
  z.object({
    role: z.literal("assistant"),
    text: z.string(),
    model: z.string(),
    usage: ChatUsage.nullable(),
    cancelled: z.boolean().default(false),
    /** Stopped by the provider at the model's length limit (`max_tokens`): ends mid-answer. */
    cut: z.boolean().optional(),
  }),
  z.object({ role: z.literal("error"), code: z.string(), message: z.string() }),
  z.object({ role: z.literal("queued"), position: z.number().int() }),
]);
export type ChatData = z.infer<typeof ChatData>;
