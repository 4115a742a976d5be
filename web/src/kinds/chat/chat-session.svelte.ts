/**
 * One opened `chat` session, shown as a conversation instead of a terminal. Built from the
 * session's events in seq order (the same attach-from-last-seq rule as terminals):
 * - `chat {role:"user"}` starts a turn; the `output` bytes after it are the reply streaming in;
 * - `chat {role:"assistant"}` replaces the streamed text with the final reply (usage, model,
 *   cancelled); `chat {role:"error"}` drops the streamed text and shows the error, with the
 *   message it left unanswered to send again;
 * - `chat {role:"queued"}` says the reply waits for a free slot.
 * Output outside a reply (the host's banner, the echo of a user line) is for terminals only.
 */
import { droppedEventReason } from "../../../../src/protocol/droppedEvent.js";
import type { JsonEvent } from "../../../../src/protocol/events.js";
import { AttachCursor } from "../../lib/attach-cursor.svelte.js";
import type { SessionIO, SessionView } from "../kind.js";

export interface ChatEntry {
  /** Stable key for the list. */
  key: number;
  role: "user" | "assistant" | "error" | "notice";
  text: string;
  model?: string;
  usage?: { input: number; output: number } | null;
  cancelled?: boolean;
  /** The provider stopped the reply at the model's length limit: it ends mid-answer. */
  cut?: boolean;
  /** The reply is still arriving. */
  streaming?: boolean;
  /** Position in the host's queue of replies waiting for a free slot. */
  queued?: number;
  /** On an error: the message that was not answered (not part of the conversation), to send again. */
  unanswered?: string;
}

// Terminal escapes a reply's output bytes may carry (colours around notes): not chat text.
const ANSI = /\x1b\[[0-9;?]*[ -/]*[@-~]|\x1b[()][A-Za-z0-9]|\x1b[=>]/g;

export class ChatView implements SessionView {
  readonly id: string;
  entries = $state<ChatEntry[]>([]);
  readonly #cursor = new AttachCursor();
  #nextKey = 1;
  /** The reply being streamed (an entry in `entries`), between a user event and its end. */
  #reply: ChatEntry | undefined;
  /** The last message sent, which an error leaves unanswered. */
  #asked = "";
  readonly #decoder = new TextDecoder();
  /** The composer's element, to focus it on switch. */
  input: HTMLTextAreaElement | undefined;

  readonly #io: SessionIO;

  constructor(id: string, io: SessionIO) {
    this.id = id;
    this.#io = io;
  }

  /** Sends a message (the host takes a line ending in `\r` as one message). */
  send(text: string): void {
    this.#io.input(`${text}\r`);
  }

  /** Stops the reply in flight (Ctrl-C for a chat). */
  cancel(): void {
    this.#io.input("\x03");
  }

  /** The message a failed reply left unanswered, when that failure is the latest step. */
  get unanswered(): string | undefined {
    const last = this.entries.at(-1);
    return last?.role === "error" ? last.unanswered : undefined;
  }

  /** Whether a reply is in flight (the Cancel button shows). */
  get streaming(): boolean {
    return this.entries.some((e) => e.streaming);
  }

  /** Seq of the last event applied. */
  get lastSeq(): number {
    return this.#cursor.lastSeq;
  }

  attaching(): void {
    this.#cursor.attaching();
  }

  attached(seq: number): void {
    this.#cursor.attached(seq);
  }

  isLiveSeq(seq: number): boolean {
    return this.#cursor.isLiveSeq(seq);
  }

  whenCurrent(): Promise<void> {
    return this.#cursor.whenCurrent();
  }

  output(seq: number, data: Uint8Array): boolean {
    if (!this.#cursor.advance(seq)) return false;
    const text = this.#decoder.decode(data, { stream: true });
    const reply = this.#reply;
    if (reply) {
      const entry = this.entries.find((e) => e.key === reply.key);
      if (entry) entry.text += text.replace(ANSI, "").replace(/\r\n?/g, "\n");
    }
    this.#cursor.settle();
    return true;
  }

  event(event: JsonEvent): boolean {
    if (!this.#cursor.advance(event.seq)) return false;
    if (event.type === "chat") this.#chat(event.data);
    else if (event.type === "exit") {
      this.#endReply();
      this.#push({ role: "notice", text: "The chat has ended." });
    } else if (event.type === "gap") {
      this.#push({
        role: "notice",
        text: droppedEventReason(event.data) ?? "Some of the reply was lost here.",
      });
    }
    this.#cursor.settle();
    return true;
  }

  /** History the hub no longer stores as events: only what follows can be shown. */
  snapshot(snap: { seq: number }, written?: () => void): void {
    if (this.#cursor.disposed) return;
    this.entries = [{ key: this.#nextKey++, role: "notice", text: "Earlier messages are no longer stored." }];
    this.#reply = undefined;
    this.#cursor.lastSeq = snap.seq;
    this.#cursor.settle();
    written?.();
  }

  focus(): void {
    this.input?.focus();
  }

  dispose(): void {
    this.#cursor.dispose();
  }

  #chat(data: Record<string, unknown>): void {
    switch (data["role"]) {
      case "user":
        this.#endReply();
        this.#asked = String(data["text"] ?? "");
        this.#push({ role: "user", text: this.#asked });
        this.#reply = this.#push({ role: "assistant", text: "", streaming: true });
        break;
      case "assistant": {
        const final: Omit<ChatEntry, "key"> = {
          role: "assistant",
          text: String(data["text"] ?? ""),
          model: typeof data["model"] === "string" ? data["model"] : undefined,
          usage: (data["usage"] as ChatEntry["usage"]) ?? null,
          cancelled: data["cancelled"] === true,
          cut: data["cut"] === true,
        };
        if (this.#reply) this.#replace(this.#reply, final);
        else this.#push(final);
        this.#reply = undefined;
        break;
      }
      case "error":
        if (this.#reply) this.#remove(this.#reply);
        this.#reply = undefined;
        this.#push({
          role: "error",
          text: String(data["message"] ?? "the reply failed"),
          unanswered: this.#asked,
        });
        break;
      case "queued":
        if (this.#reply)
          this.#replace(this.#reply, { ...this.#current(this.#reply), queued: Number(data["position"]) });
        break;
      default:
        break;
    }
  }

  /** A reply that never got its end (the session ended): keep what arrived. */
  #endReply(): void {
    if (!this.#reply) return;
    const entry = this.#current(this.#reply);
    if (entry.text.trim() === "") this.#remove(this.#reply);
    else this.#replace(this.#reply, { ...entry, streaming: false, cancelled: true });
    this.#reply = undefined;
  }

  #push(entry: Omit<ChatEntry, "key">): ChatEntry {
    const full = { ...entry, key: this.#nextKey++ };
    this.entries.push(full);
    // The state proxy of what was pushed, so later updates find it.
    return this.entries[this.entries.length - 1] as ChatEntry;
  }

  #current(entry: ChatEntry): ChatEntry {
    return this.entries.find((e) => e.key === entry.key) ?? entry;
  }

  #replace(entry: ChatEntry, next: Omit<ChatEntry, "key">): void {
    const index = this.entries.findIndex((e) => e.key === entry.key);
    const replaced = { ...next, key: entry.key };
    if (index >= 0) this.entries[index] = replaced;
    if (this.#reply?.key === entry.key) this.#reply = this.entries[index];
  }

  #remove(entry: ChatEntry): void {
    this.entries = this.entries.filter((e) => e.key !== entry.key);
  }
}
