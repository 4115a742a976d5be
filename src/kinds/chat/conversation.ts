/**
 * A chat's conversation rebuilt from its `chat` events, and its Markdown export. One rule,
 * used wherever a conversation is read back (fork, export, resume): a user message counts
 * once a reply followed it; a failed reply (`error`) drops the user message before it; a
 * cancelled reply keeps whatever text had arrived.
 */
import { ChatData } from "./events.js";
import type { ChatMessage } from "./options.js";

export interface ChatTurn extends ChatMessage {
  model?: string;
  usage?: { input: number; output: number } | null;
  cancelled?: boolean;
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

export function conversationToMarkdown(title: string, turns: readonly ChatTurn[]): string {
  const parts = [`# ${title}`, ""];
  let input = 0;
  let output = 0;
  for (const turn of turns) {
    if (turn.role === "user") {
      parts.push("## You", "", turn.text, "");
    } else {
      const note = turn.cancelled ? " (cancelled)" : "";
      parts.push(`## Assistant${turn.model ? ` (${turn.model})` : ""}${note}`, "", turn.text, "");
      input += turn.usage?.input ?? 0;
      output += turn.usage?.output ?? 0;
    }
  }
  if (input + output > 0) parts.push(`---`, "", `Tokens: ${input} in, ${output} out`, "");
  return parts.join("\n");
}
