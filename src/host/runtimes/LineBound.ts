/**
 * The bound on the line being typed, so a stuck client cannot grow it without end, and what a
 * person is told when a line passes it. Past the bound nothing more goes on the line, and Enter
 * sends none of it: a message with a hole in its middle would read as whole, so the line waits
 * for its Enter to be refused whole (`refuse`). A bracketed paste that would pass it is refused
 * at once, and the line stays as it was.
 */

import type { LineView } from "./LineView.js";
import type { LineEditorHost } from "./lineEditorHost.js";
import { MAX_PASTE_CHARS } from "./terminalKeys.js";

/** Bound on a line, so a stuck client cannot grow it without end. */
export const MAX_LINE_CHARS = 1024 * 1024;

/** Whether `text` added to a line of `length` characters passes the bound. */
export function passesBound(length: number, text: string): boolean {
  return length + [...text].length > MAX_LINE_CHARS;
}

export class LineBound {
  /** Characters typed past `MAX_LINE_CHARS` on this line (it is refused at Enter). */
  private over = 0;

  constructor(
    private readonly view: LineView,
    private readonly host: LineEditorHost,
  ) {}

  /** Whether the line passed the bound: it waits for its Enter, to be refused whole. */
  get passed(): boolean {
    return this.over > 0;
  }

  /** Types `text` at the cursor while the line holds it; past the bound, counts it and says so once. */
  insert(text: string): void {
    if (this.over === 0 && !passesBound(this.view.chars.length, text)) return this.view.insert(text);
    if (this.over === 0)
      this.view.under(
        `\x1b[2mthe line is longer than the ${MAX_LINE_CHARS} characters a line holds: it will not be sent (Ctrl-U clears it); send it in parts\x1b[0m\r\n`,
      );
    this.over += [...text].length;
  }

  /** A bracketed paste: typed whole, or nothing of it when the line cannot hold it. */
  paste(text: string): void {
    if (passesBound(this.view.chars.length, text)) return this.pasteTooLong([...text].length);
    this.insert(text);
  }

  /** A paste of `chars` characters refused (here, or already by the key reader): said so. */
  pasteTooLong(chars: number): void {
    const most = Math.min(MAX_LINE_CHARS, MAX_PASTE_CHARS);
    const note = `\x1b[2mnothing pasted: ${chars} characters is more than a line holds (${most}); paste it in parts\x1b[0m\r\n`;
    if (this.view.active) this.view.under(note);
    else this.echoNote(note);
  }

  /**
   * Enter on a line that passed the bound: takes it off the screen and says why it was not
   * sent. The editor then starts a new line.
   */
  refuse(): void {
    const chars = this.view.chars.length + this.over;
    this.view.takeOff();
    this.echoNote(
      `\x1b[2mnot sent: ${chars} characters is more than a line holds (${MAX_LINE_CHARS}); send it in parts\x1b[0m\r\n`,
    );
  }

  /** A new line, or the line dropped: nothing typed past the bound any more. */
  clear(): void {
    this.over = 0;
  }

  /** A note on a row of its own, with no line on the screen to put it under. */
  private echoNote(note: string): void {
    this.host.echo(`${this.host.atLineStart() ? "" : "\r\n"}${note}`);
  }
}
