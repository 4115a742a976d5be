/**
 * A chat's conversation rebuilt from its `chat` events, and its Markdown export. One rule,
 * used wherever a conversation is read back (fork, export, resume): a user message counts
 * once a reply followed it; a failed reply (`error`) drops the user message before it; a
 * cancelled reply keeps whatever text had arrived.
 */
import { ChatData, CUT_REPLY_NOTE } from "./events.js";
import type { ChatMessage } from "./options.js";

export interface ChatTurn extends ChatMessage {
  model?: string;
  usage?: { input: number; output: number } | null;
  cancelled?: boolean;
  cut?: boolean;
}

export function conversationFromEvents(events: Iterable<{ type: string; data: unknown }>): ChatTurn[] {
  const turns: ChatTurn[] = [];
  let pending: string | undefined;
  for (const event of events) {
    if (event.type !== "chat") continue;
    const parsed = ChatData.safeParse(event.data);
    if (!parsed.success) continue;
    const data = parsed.data;
    switch (data.role) {
      case "user":
        pending = data.text;
        break;
      case "assistant":
        if (pending !== undefined && (data.text.length > 0 || !data.cancelled)) {
          turns.push({ role: "user", text: pending });
          turns.push({
            role: "assistant",
            text: data.text,
            model: data.model,
            usage: data.usage,
            cancelled: data.cancelled,
            ...(data.cut ? { cut: true } : {}),
          });
        }
        pending = undefined;
        break;
      case "error":
        pending = undefined;
        break;
      case "queued":
        break;
    }
  }
  return turns;
}

/**
 * Bound on the earlier conversation a revived or forked chat takes along, as JSON-encoded UTF-8.
 * A fork sends it to the hub in one request, whose body may be 2 MiB (a longer conversation
 * could not be forked at all); a revive sends it to the host in one message, on a link that
 * carries at most 8 MiB (a longer one made the host drop the link, cutting off every session of
 * it). 1.5 MiB leaves room for the rest of the request, and is more context than models take.
 */
export const MAX_HISTORY_BYTES = 1.5 * 1024 * 1024;
/** Bound on its messages (`ChatOptions.history` takes no more). */
export const MAX_HISTORY_MESSAGES = 10_000;

/**
 * The newest messages of `turns` within `MAX_HISTORY_BYTES` and `MAX_HISTORY_MESSAGES`, starting at a user message, and
 * how many older ones were left out.
 */
export function recentHistory(turns: readonly ChatMessage[]): { history: ChatMessage[]; omitted: number } {
  const encoder = new TextEncoder();
  let bytes = 0;
  let start = turns.length;
  for (let i = turns.length - 1; i >= Math.max(0, turns.length - MAX_HISTORY_MESSAGES); i--) {
    const turn = turns[i] as ChatMessage;
    bytes += encoder.encode(JSON.stringify(turn.text)).length + 32;
    if (bytes > MAX_HISTORY_BYTES) break;
    start = i;
  }
  // A conversation starts with the person's message.
  while (start < turns.length && turns[start]?.role !== "user") start++;
  return {
    history: turns.slice(start).map(({ role, text }) => ({ role, text })),
    omitted: start,
  };
}

export function conversationToMarkdown(title: string, turns: readonly ChatTurn[]): string {
  const parts = [`# ${title}`, ""];
  let input = 0;
  let output = 0;
  for (const turn of turns) {
    if (turn.role === "user") {
      parts.push("## You", "", turn.text, "");
    } else {
      const note = turn.cancelled ? " (cancelled)" : turn.cut ? ` (${CUT_REPLY_NOTE})` : "";
      parts.push(`## Assistant${turn.model ? ` (${turn.model})` : ""}${note}`, "", turn.text, "");
      input += turn.usage?.input ?? 0;
      output += turn.usage?.output ?? 0;
    }
  }
  if (input + output > 0) parts.push(`---`, "", `Tokens: ${input} in, ${output} out`, "");
  return parts.join("\n");
}
