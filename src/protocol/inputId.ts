/**
 * An input's number (`input.id`): the client's stream and a seq rising by one per input. The
 * client protocol carries it from the client to the hub, the host protocol from the hub to the
 * host; both apply a numbered input once (`core/InputStreams.ts`).
 */
import { z } from "zod";

export const InputId = z.object({
  stream: z.string().min(8).max(64),
  seq: z.number().int().positive(),
});
export type InputId = z.infer<typeof InputId>;
