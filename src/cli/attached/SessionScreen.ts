/**
 * What the attached client draws of the session shown, in the rows above the status bar: its
 * output frames and the screens that replace them. Apart from `SessionView` because drawing
 * (a character cut between frames, the modes a screen left on, the bar's region kept) does not
 * depend on which stream is shown: the view says what arrived, this says what reaches the
 * terminal.
 */
import type { RawTerminal } from "../RawTerminal.js";
import { CLEAR_SCREEN } from "../tui/screen.js";
import { DISTURBS_STATUS_BAR } from "./StatusBar.js";
import type { StatusRow } from "./StatusRow.js";
import { SESSION_MODES_OFF } from "./sessionModes.js";
import { Utf8Tail } from "./Utf8Tail.js";

export interface SessionScreenOptions {
  terminal: RawTerminal;
  bar: StatusRow;
  /** Whether the screen is taken (the picker, help or history): the session's output waits. */
  covered(): boolean;
}

/** ESC, which every sequence `DISTURBS_STATUS_BAR` matches begins with. */
const ESC = 0x1b;

/**
 * Whether `data` resets the scroll region or clears the screen. A frame without ESC (a key's
 * echo, plain text) is passed over without a copy or a string of it: each was garbage per key.
 */
function disturbsBar(data: Uint8Array | string): boolean {
  if (typeof data === "string") return DISTURBS_STATUS_BAR.test(data);
  if (!data.includes(ESC)) return false;
  return DISTURBS_STATUS_BAR.test(
    Buffer.from(data.buffer, data.byteOffset, data.byteLength).toString("latin1"),
  );
}

export class SessionScreen {
  /** A character the last output frame cut, until the next completes it or a screen replaces it. */
  private readonly tail = new Utf8Tail();

  constructor(private readonly options: SessionScreenOptions) {}

  /** A blank screen for another session, with none of the modes the one shown before had on. */
  clear(): void {
    this.tail.drop();
    this.options.terminal.write(SESSION_MODES_OFF + CLEAR_SCREEN);
    this.options.bar.setUp();
  }

  /** An output frame, unless the screen is covered; the bar set up again if the frame disturbed it. */
  output(data: Uint8Array | string, redrawBar = false): void {
    const { terminal, bar } = this.options;
    // Covered, the frame is not shown: a character it cut is not either.
    if (this.options.covered()) return this.tail.drop();
    terminal.write(typeof data === "string" ? data : this.tail.take(data));
    if (!bar.enabled) return;
    if (redrawBar || disturbsBar(data)) bar.setUp();
  }

  /**
   * A session's screen in place of what is shown, with none of the modes the screen shown before
   * had on (the snapshot switches on its own). The bar's region is set first: a screen taller
   * than it (one from before the hub applied this client's size) scrolls inside it instead of
   * leaving the cursor on the bar's row.
   */
  show(data: string): void {
    if (this.options.covered()) return;
    this.clear();
    this.output(data, true);
  }
}
