/**
 * A chat as a terminal meets it, as `workspace/Console` is a workspace's: what an input is, the
 * line being typed, and the chat's output written above that line. Kept apart from the
 * runtime (`chat.ts`), which holds the conversation and says what a message and Ctrl-C do.
 *
 * Input framing: an input that ends in `\r` or `\n` and holds no other control character is a
 * whole message (the web's box, `dispatch chat`: newlines inside it are kept), sent after
 * whatever was typed before it. Keys typed at an attached terminal go through a `LineEditor`:
 * they echo after `> `, are edited as at a shell (arrows, Home/End, Backspace), a bracketed paste
 * goes on the line whole, newlines kept, even when it comes in several numbered inputs (one of
 * which may read like a whole message; one from another client meanwhile, or one without a
 * number, is a message of its own), Up and Down bring back the messages the typist sent (the
 * hub says who typed each input) and the conversation's from before this session, Enter sends
 * the line, and `\x03` (Ctrl-C) interrupts.
 */
import { LineEditor } from "./LineEditor.js";

/** A whole message in one input: text and newlines, ending in one. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it rules out.
const WHOLE_MESSAGE = /^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]+[\r\n]$/;
const TYPED_PROMPT = "\x1b[1m>\x1b[0m ";

export interface ChatConsoleActions {
  /** Whether the chat still runs: an ended one writes nothing more. */
  running(): boolean;
  /** Writes to the session's output as is. */
  output(text: string): void;
  /** A message to send, from the person `by` (their id) when the hub said. */
  send(message: string, by: string | undefined): void;
  /** Ctrl-C at the typed line. */
  interrupt(): void;
  /** The terminal's width: a typed line wraps over rows at it. */
  cols(): number;
}

export class ChatConsole {
  private readonly editor: LineEditor;
  /** Whether the output ends its line (a line being typed then starts on it). */
  private lineStart = true;
  /**
   * The input stream (`input.id`) of the keys the editor is part way through (a paste in
   * pieces), undefined when not numbered: the next input of that stream continues them.
   */
  private keysStream: string | undefined;

  constructor(private readonly actions: ChatConsoleActions) {
    this.editor = new LineEditor({
      echo: (text) => this.write(text, text.endsWith("\n")),
      atLineStart: () => this.lineStart,
      prompt: () => TYPED_PROMPT,
      masked: () => false,
      historyPerPerson: true,
      enter: () => actions.send(this.editor.take(), this.editor.typedBy),
      interrupt: () => actions.interrupt(),
      cols: () => actions.cols(),
    });
  }

  /** An input from a client (its input `stream` when numbered): a whole message, or keys for the typed line. */
  input(data: string, by?: string, stream?: string): void {
    if (WHOLE_MESSAGE.test(data)) {
      if (!this.editor.midKeys) return this.actions.send(this.editor.take() + data, by);
      // Keys part way through from another client (a paste in pieces at an attached terminal):
      // a message of its own (`dispatch chat`'s line), sent now, the paste left to go on. Glued
      // into the paste, it was never answered and the paste held a line nobody pasted. An
      // input without a number (a script's REST call) is never a piece: nothing tells it from
      // another script's message, so only a numbered stream continues its own paste with it.
      if (stream === undefined || stream !== this.keysStream) return this.actions.send(data, by);
    }
    const continuing = this.editor.midKeys;
    this.editor.type(data, by);
    // Another client's keys in the middle of a paste do not make the paste theirs.
    if (!continuing) this.keysStream = stream;
  }

  /** A message sent in this chat: Up brings it back, the sender's Up when `by` is given. */
  remember(text: string, by?: string): void {
    this.editor.remember(text, by);
  }

  /**
   * A message whose reply failed is not part of the conversation (it is not sent again with
   * the next one, nor kept by a fork or revive, as `conversationFromEvents` reads it): said so
   * under the error, and put back on the typed line for Enter to send again, unless someone
   * is typing there (Up brings it back then).
   */
  offerAgain(text: string): void {
    const offered = this.editor.offer(text);
    const how = offered ? "it is on the line below: Enter sends it again" : "Up brings it back to send again";
    this.print(
      `\x1b[2m(your message was not answered and is not part of the conversation; ${how})\x1b[0m\r\n`,
    );
  }

  /** Output, above a line being typed at a terminal (`LineEditor`). */
  print(text: string): void {
    if (text.length === 0) return;
    const ends = text.endsWith("\n");
    this.write(`${this.editor.hide()}${text}${this.editor.show(ends)}`, ends);
  }

  private write(text: string, lineStart: boolean): void {
    if (!this.actions.running()) return;
    this.lineStart = lineStart;
    this.actions.output(text);
  }
}
