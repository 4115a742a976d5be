/**
 * One reply of a chat: waits for a slot under the host's bound on API calls in flight
 * (`chatLimiter`), streams the reply with a bound on its size, and says how it ended: whole,
 * stopped (cancelled, or grown past the bound) with what had arrived, or failed.
 */
import type { ChatMessage, ChatOptions } from "../../kinds/chat/options.js";
import { chatLimiter } from "./ChatLimiter.js";
import { ChatFailure } from "./chatFailures.js";
import { type Reply, streamReply } from "./chatProviders.js";

/**
 * Bound on one reply, as JSON-encoded UTF-8 (how the closing `chat` event carries it): that
 * event is one message to the hub, and one over the host link's 8 MiB limit made the hub drop
 * the link, cutting off every session of the host, again on each reconnect as the host sent
 * it once more. 1 MiB is some 250k tokens, far beyond any model's reply limit, so only a
 * runaway stream is stopped here.
 */
export const MAX_REPLY_BYTES = 1024 * 1024;

export type ReplyOutcome =
  | { kind: "reply"; reply: Reply }
  /** Cancelled, or stopped at `MAX_REPLY_BYTES` (`failure.code` says which): `received` had arrived. */
  | { kind: "stopped"; received: string; failure: ChatFailure }
  | { kind: "failed"; failure: ChatFailure };

export interface ReplyCall {
  options: ChatOptions;
  apiKey: string | undefined;
  messages: readonly ChatMessage[];
  /** Aborting it cancels the reply (with a `ChatFailure` as the reason: that one). */
  controller: AbortController;
  /** The reply waits for a slot, at `position` in the queue. */
  onQueued: (position: number) => void;
  /** The request goes to the provider. */
  onSent: () => void;
  onText: (text: string) => void;
  /** What starts this chat again, by its name (`ReplyRequest.reviveAdvice`). */
  reviveAdvice: string;
}

export async function awaitReply(call: ReplyCall): Promise<ReplyOutcome> {
  const { controller } = call;
  let received = "";
  let receivedBytes = 0;
  let release: (() => void) | undefined;
  try {
    // Said only when the reply really has to wait, so a queue is never a silent hang.
    if (chatLimiter.isFull) call.onQueued(chatLimiter.waiting + 1);
    release = await chatLimiter.acquire(controller.signal);
    call.onSent();
    const reply = await streamReply({
      options: call.options,
      apiKey: call.apiKey,
      messages: call.messages,
      signal: controller.signal,
      reviveAdvice: call.reviveAdvice,
      onText: (delta) => {
        if (controller.signal.aborted) return;
        receivedBytes += jsonBytes(delta);
        if (receivedBytes > MAX_REPLY_BYTES) {
          controller.abort(new ChatFailure("too_long", tooLong()));
          return;
        }
        received += delta;
        call.onText(delta);
      },
    });
    return { kind: "reply", reply };
  } catch (err) {
    const reason: unknown = controller.signal.reason;
    if (reason instanceof ChatFailure && reason.code === "too_long")
      return { kind: "stopped", received, failure: reason };
    if (controller.signal.aborted || (err instanceof ChatFailure && err.code === "cancelled"))
      return { kind: "stopped", received, failure: new ChatFailure("cancelled", "cancelled") };
    const failure =
      err instanceof ChatFailure
        ? err
        : new ChatFailure("provider", err instanceof Error ? err.message : String(err));
    return { kind: "failed", failure };
  } finally {
    release?.();
  }
}

/** Bytes `text` adds to the JSON of the event that carries it (without its quotes). */
function jsonBytes(text: string): number {
  return Buffer.byteLength(JSON.stringify(text)) - 2;
}

function tooLong(): string {
  return `reply stopped: it grew past ${MAX_REPLY_BYTES / (1024 * 1024)} MiB, the most one chat reply may hold; what arrived is kept`;
}
