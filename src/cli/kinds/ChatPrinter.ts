/**
 * What `dispatch chat` prints of the chat it shows: the reply's streamed output, the messages
 * sent (but not the echo of the line just typed at this prompt, which the terminal shows
 * already), a note under a failed reply, a place in the queue, and the chat's end. It says
 * when a turn is over (`turnEnded`); the view (`ChatView`) decides what the prompt does then.
 * Kept apart from the view, which holds the connection and carries it through hub restarts.
 *
 * A turn is the line sent from this prompt and its reply: it ends with the reply that follows
 * that line's own `user` event, not with the first reply that comes. Another one may come
 * first: the conversation replayed on attach, or the reply to someone else's message that the
 * line waits behind. Taking that one for the answer, a script piping lines in went on to
 * `/quit` before its line was answered.
 */
import { ChatData } from "../../kinds/chat/events.js";
import type { JsonEvent } from "../../protocol/events.js";

export interface ChatPrinterActions {
  /** The name of the chat shown, for the lines about it. */
  name(): string | undefined;
  /** The line sent from this prompt was answered (whole or failed), or the chat ended. */
  turnEnded(): void;
}

export class ChatPrinter {
  /** Between a user message and its reply's end: the session's output is the reply. */
  private streaming = false;
  /** The line sent from this prompt whose `user` event has not come yet (not printed again). */
  private awaiting: string | undefined;
  /** That event came: the reply streaming now is the one to the line sent from this prompt. */
  private answering = false;
  /**
   * Ctrl-C was sent during the turn: the chat drops the messages waiting behind the reply it
   * cancels, so the line sent may never come; the next reply to end ends the turn.
   */
  private interrupting = false;

  constructor(private readonly actions: ChatPrinterActions) {}

  /** Another chat is shown: nothing streams until its next message. */
  switched(): void {
    this.streaming = false;
    this.awaiting = undefined;
    this.answering = false;
    this.interrupting = false;
  }

  /** `line` was sent from this prompt: the turn lasts until its reply ends. */
  sent(line: string): void {
    this.awaiting = line.trim();
    this.answering = false;
    this.interrupting = false;
  }

  /** Ctrl-C was sent to cancel the reply in flight. */
  interrupted(): void {
    this.interrupting = true;
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
        if (this.awaiting !== undefined && isEchoOf(data.text, this.awaiting)) {
          this.awaiting = undefined;
          this.answering = true;
        } else process.stdout.write(`[${this.actions.name()}] > ${data.text}\n`);
        this.streaming = true;
        return;
      case "assistant":
        this.streaming = false;
        process.stdout.write("\n");
        return this.replyEnded();
      case "error":
        // The error itself came as output; what follows there is the host's own typed line
        // (the message offered back on it), a terminal's, not this prompt's: said here instead.
        this.streaming = false;
        process.stdout.write(`${unansweredNote(process.stdin.isTTY === true)}\n`);
        return this.replyEnded();
      case "queued":
        process.stdout.write(`(waiting for a free API slot, position ${data.position})\n`);
        return;
    }
  }

  /** A reply ended: the turn with it, when it answered the line sent (or Ctrl-C was sent). */
  private replyEnded(): void {
    if (!this.answering && !this.interrupting) return;
    this.awaiting = undefined;
    this.answering = false;
    this.interrupting = false;
    this.actions.turnEnded();
  }
}

/**
 * Whether a `user` event's text is the line sent: the chat sends what someone had half typed at
 * an attached terminal ahead of a whole message (`ChatConsole`), so the line ends it.
 */
function isEchoOf(text: string, line: string): boolean {
  return text.trim().endsWith(line);
}

/**
 * What becomes of a message whose reply failed: it is not part of the conversation, and is
 * sent again as any message (at a terminal, readline's Up brings it back).
 */
function unansweredNote(terminal: boolean): string {
  const how = terminal ? "Up brings it back to send again" : "send it again to retry";
  return `(your message was not answered and is not part of the conversation; ${how})`;
}
