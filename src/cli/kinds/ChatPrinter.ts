/**
 * What `dispatch chat` prints of the chat it shows: the reply's streamed output, the messages
 * sent (but not the echo of the line just typed at this prompt, which the terminal shows
 * already), a note under a failed reply, a place in the queue, and the chat's end. It says
 * when a turn is over (`turnEnded`); the view (`ChatView`) decides what the prompt does then.
 * Kept apart from the view, which holds the connection and carries it through hub restarts.
 */
import { ChatData } from "../../kinds/chat/events.js";
import type { JsonEvent } from "../../protocol/events.js";

export interface ChatPrinterActions {
  /** The name of the chat shown, for the lines about it. */
  name(): string | undefined;
  /** A reply ended (whole or failed), or the chat did. */
  turnEnded(): void;
}

export class ChatPrinter {
  /** Between a user message and its reply's end: the session's output is the reply. */
  private streaming = false;
  /** The line just sent from this prompt: its `user` event is not printed again. */
  private echoSkip: string | undefined;

  constructor(private readonly actions: ChatPrinterActions) {}

  /** Another chat is shown: nothing streams until its next message. */
  switched(): void {
    this.streaming = false;
  }

  /** `line` was sent from this prompt. */
  sent(line: string): void {
    this.echoSkip = line;
  }

  output(data: Uint8Array): void {
    if (this.streaming) process.stdout.write(data);
  }

  event(event: JsonEvent): void {
    if (event.type === "chat") this.chat(event.data);
    if (event.type === "exit") {
      process.stdout.write(`\n[${this.actions.name()}] the chat has ended\n`);
      this.actions.turnEnded();
    }
  }

  private chat(raw: Record<string, unknown>): void {
    const parsed = ChatData.safeParse(raw);
    if (!parsed.success) return;
    const data = parsed.data;
    switch (data.role) {
      case "user":
        if (this.echoSkip !== undefined && this.echoSkip.trim() === data.text.trim())
          this.echoSkip = undefined;
        else process.stdout.write(`[${this.actions.name()}] > ${data.text}\n`);
        this.streaming = true;
        return;
      case "assistant":
        this.streaming = false;
        process.stdout.write("\n");
        return this.actions.turnEnded();
      case "error":
        // The error itself came as output; what follows there is the host's own typed line
        // (the message offered back on it), a terminal's, not this prompt's: said here instead.
        this.streaming = false;
        process.stdout.write(`${unansweredNote(process.stdin.isTTY === true)}\n`);
        return this.actions.turnEnded();
      case "queued":
        process.stdout.write(`(waiting for a free API slot, position ${data.position})\n`);
        return;
    }
  }
}

/**
 * What becomes of a message whose reply failed: it is not part of the conversation, and is
 * sent again as any message (at a terminal, readline's Up brings it back).
 */
function unansweredNote(terminal: boolean): string {
  const how = terminal ? "Up brings it back to send again" : "send it again to retry";
  return `(your message was not answered and is not part of the conversation; ${how})`;
}
