/**
 * `chat`: a conversation in the host, like any other session: its events stream, buffer,
 * acknowledge and replay the same way, and the conversation lives on through hub restarts.
 * Capabilities: resize (clients render it as a terminal), signal (SIGINT cancels a reply).
 *
 * What an input is (a whole message, or keys for a typed line) is `ChatConsole`'s; Enter
 * sends the line, and `\x03` (Ctrl-C) cancels the reply in flight and drops messages waiting
 * behind it.
 *
 * `options.history` is an earlier conversation: a fork (a new log) writes it as this session's
 * own events; a revive (`spec.afterSeq > 0`, the log continues) only takes it up as context.
 *
 * Each turn emits `chat {role:"user"}`, the reply's text as `output` bytes while it streams
 * (terminals show it as it comes), then `chat {role:"assistant", usage}` — or `chat
 * {role:"error"}` saying what went wrong and what to do (`chatFailures`), never a hang. While a
 * reply is awaited or streams, the foreground (`status`) says so (`replying (MODEL)`, `queued
 * (MODEL)`); it is idle again after, or `unanswered: REASON` when the reply failed, or
 * `reply cut (length limit)` when the provider stopped it at the model's length limit.
 */
import { constants } from "node:os";
import { DispatchError } from "../../core/errors.js";
import { chatKind } from "../../kinds/chat/index.js";
import { type ChatMessage, ChatOptions } from "../../kinds/chat/options.js";
import { reviveAdvice } from "../../kinds/reviveAdvice.js";
import { parseOrBadRequest } from "../../protocol/parse.js";
import { ChatConsole } from "./ChatConsole.js";
import { chatLimiter } from "./ChatLimiter.js";
import { ChatFailure } from "./chatFailures.js";
import { awaitReply, type ReplyOutcome } from "./chatReply.js";
import {
  CUT_LINE,
  crlf,
  errorLine,
  omittedNote,
  opening,
  restoredNote,
  stoppedLine,
  userEcho,
} from "./chatScreen.js";
import type { InputFrom, RuntimeContext, SessionRuntime } from "./runtime.js";

export class ChatRuntime implements SessionRuntime {
  readonly pid = null;
  private readonly options: ChatOptions;
  private readonly apiKey: string | undefined;
  private readonly messages: ChatMessage[];
  private readonly inbox: string[] = [];
  /** The typed line and the output above it. */
  private readonly console: ChatConsole;
  private inFlight: AbortController | undefined;
  private running = true;
  private code: number | null = null;
  private cols: number;
  private rows: number;
  /** What `ls` shows in FOREGROUND: null (idle) between replies. */
  private busy: string | null = null;
  /**
   * FOREGROUND after the last reply failed (`unanswered: API key rejected`) or was cut at the
   * length limit, until the next message; null when it ended well.
   */
  private afterTurn: string | null = null;

  constructor(private readonly context: RuntimeContext) {
    const { spec } = context;
    this.options = parseOrBadRequest(ChatOptions, spec.options ?? {}, "invalid chat options");
    this.cols = spec.cols;
    this.rows = spec.rows;
    this.apiKey = this.options.apiKeyEnv ? context.env[this.options.apiKeyEnv] : undefined;
    this.messages = [];
    this.console = new ChatConsole({
      running: () => this.running,
      output: (text) => context.events.output(Buffer.from(text, "utf8")),
      send: (message, by) => this.send(message, by),
      interrupt: () => this.cancel(),
      cols: () => this.cols,
    });
    chatLimiter.setLimit(this.options.maxConcurrent);
    // Revived (its host was lost): the log continues, and already holds the conversation.
    const revived = spec.afterSeq > 0;
    if (revived) context.events.emit("revived", {});
    context.events.emit("start", {
      pid: 0,
      command: [this.options.provider, this.options.model],
      cwd: spec.cwd,
      cols: spec.cols,
      rows: spec.rows,
    });
    this.console.print(opening(this.options.model, this.options.profile, this.options.forkedFrom));
    const omitted = this.options.historyOmitted ?? 0;
    if (omitted > 0) this.console.print(omittedNote(omitted));
    if (revived) {
      // The history is taken up again as context, not written a second time.
      this.messages.push(...this.options.history);
      for (const message of this.options.history)
        if (message.role === "user") this.console.remember(message.text);
      this.console.print(restoredNote(this.options.history.length));
    } else {
      for (const message of this.options.history) this.replayHistory(message);
    }
  }

  get isRunning(): boolean {
    return this.running;
  }

  get exitCode(): number | null {
    return this.code;
  }

  get size(): { cols: number; rows: number } {
    return { cols: this.cols, rows: this.rows };
  }

  input(data: string, from?: InputFrom): void {
    if (!this.running)
      throw new DispatchError(
        "session_exited",
        `the chat has ended; the message was not sent: ${this.reviveAdvice()}`,
      );
    this.console.input(data, from?.by, from?.stream);
  }

  /** Sends `message`, from the person `by` (their id) when the hub said. */
  private send(message: string, by?: string): void {
    const text = message.replace(/[\r\n]+$/, "").replace(/\r\n?/g, "\n");
    if (text.trim().length === 0) return;
    // Up brings it back at once, even while it waits behind a reply: the sender's Up.
    this.console.remember(text, by);
    this.inbox.push(text);
    if (!this.inFlight) void this.pump();
  }

  resize(cols: number, rows: number): void {
    if (!this.running || (cols === this.cols && rows === this.rows)) return;
    this.cols = cols;
    this.rows = rows;
    this.context.events.emit("resize", { cols, rows });
  }

  foreground(): string | null {
    return this.busy;
  }

  /**
   * SIGINT cancels the reply in flight; any other signal ends the chat, killed by it as a
   * terminal's process is (`dispatch kill` reads `exited (killed by SIGHUP)` for both).
   */
  signal(signal: string): void {
    if (!this.running) return;
    if (signal === "SIGINT") return this.cancel();
    this.end(null, signalNumber(signal));
  }

  stop(signal = "SIGHUP"): void {
    this.signal(signal);
  }

  // No `setPaused`: replies are network calls, the hub's acks bound the buffer.

  dispose(): void {
    this.inbox.length = 0;
    this.inFlight?.abort();
    this.running = false;
  }

  private cancel(): void {
    this.inbox.length = 0;
    this.inFlight?.abort(new ChatFailure("cancelled", "cancelled"));
  }

  private end(code: number | null, signal: number | null): void {
    this.cancel();
    this.running = false;
    this.code = code;
    this.context.events.emit("exit", { code, signal });
    this.context.exited();
  }

  /** What starts this chat again, by the name it has now. */
  private reviveAdvice(): string {
    return reviveAdvice(this.context.name?.() ?? "CHAT", chatKind.revivedAs);
  }

  /** The foreground becomes `busy` (null: idle), said as a `status` event when it changes. */
  private setBusy(busy: string | null): void {
    if (busy === this.busy || !this.running) return;
    this.busy = busy;
    this.context.events.emit("status", { foreground: busy });
  }

  private async pump(): Promise<void> {
    while (this.running && this.inbox.length > 0) {
      await this.turn(this.inbox.shift() as string);
    }
  }

  private async turn(text: string): Promise<void> {
    const controller = new AbortController();
    this.inFlight = controller;
    this.afterTurn = null;
    // The echo goes first: clients that render the conversation from `chat` events show the
    // output that follows a user event (the reply) and can skip this.
    this.console.print(userEcho(text));
    this.chat({ role: "user", text });
    this.messages.push({ role: "user", text });
    try {
      const outcome = await awaitReply({
        options: this.options,
        apiKey: this.apiKey,
        messages: this.messages,
        controller,
        onQueued: (position) => {
          this.chat({ role: "queued", position });
          this.setBusy(`queued (${this.options.model})`);
        },
        onSent: () => this.setBusy(`replying (${this.options.model})`),
        onText: (delta) => this.console.print(crlf(delta)),
        reviveAdvice: this.reviveAdvice(),
      });
      this.settle(text, outcome);
    } finally {
      if (this.inFlight === controller) this.inFlight = undefined;
      // Idle once no message waits behind this one (the next turn says its own state).
      if (this.inbox.length === 0) this.setBusy(this.afterTurn);
    }
  }

  /** The reply's end, in the conversation, on the screen and as its `chat` event. */
  private settle(text: string, outcome: ReplyOutcome): void {
    const model = this.options.model;
    switch (outcome.kind) {
      case "reply": {
        const { reply } = outcome;
        this.messages.push({ role: "assistant", text: reply.text });
        this.console.print("\r\n");
        // Said, or a reply stopped mid-sentence reads as the model's whole answer.
        if (reply.cut) {
          this.console.print(CUT_LINE);
          this.afterTurn = "reply cut (length limit)";
        }
        this.chat({
          role: "assistant",
          text: reply.text,
          model: reply.model,
          usage: reply.usage,
          cancelled: false,
          ...(reply.cut ? { cut: true } : {}),
        });
        return;
      }
      case "stopped": {
        const { received, failure } = outcome;
        // What had arrived stays in the conversation, so it reads as it was shown.
        if (received.length > 0) this.messages.push({ role: "assistant", text: received });
        else this.messages.pop();
        const note = failure.code === "too_long" ? failure.message : "cancelled";
        this.console.print(stoppedLine(note));
        this.chat({ role: "assistant", text: received, model, usage: null, cancelled: true });
        return;
      }
      case "failed": {
        const { failure } = outcome;
        this.messages.pop();
        this.console.print(errorLine(failure.message));
        this.chat({ role: "error", code: failure.code, message: failure.message });
        this.afterTurn = `unanswered: ${failure.summary}`;
        if (this.inbox.length === 0) this.console.offerAgain(text);
        return;
      }
    }
  }

  private replayHistory(message: ChatMessage): void {
    if (message.role === "user") {
      this.messages.push(message);
      this.console.remember(message.text);
      this.console.print(userEcho(message.text));
      this.chat({ role: "user", text: message.text });
    } else {
      this.messages.push(message);
      this.console.print(`${crlf(message.text)}\r\n`);
      this.chat({
        role: "assistant",
        text: message.text,
        model: this.options.model,
        usage: null,
        cancelled: false,
      });
    }
  }

  private chat(data: Record<string, unknown>): void {
    this.context.events.emit("chat", data);
  }
}

/** A signal's number (SIGHUP: 1), as a terminal's exit carries it; null for one this OS lacks. */
function signalNumber(signal: string): number | null {
  return (constants.signals as Record<string, number | undefined>)[signal] ?? null;
}
