/**
 * Output older than a session's terminal holds. After a snapshot the terminal has what came
 * before it only as the snapshot's rendering (2000 lines), so the user scrolling past the top
 * loads older output from the hub (`olderOutput`) and the terminal is redrawn from it as
 * printed: the older page, then every event since. The line at the top stays in view.
 */
import type { Terminal } from "@xterm/xterm";
import { type HistoryEvent, olderOutput } from "./history.js";
import { eventNote } from "./terminal-notes.js";

/** Scrollback once the user has asked for older output: room for what retention kept. */
const HISTORY_SCROLLBACK_LINES = 100_000;

export interface TerminalHistoryOptions {
  id: string;
  terminal: Terminal;
  /** Seq of the last event the terminal applied: the redraw goes up to it. */
  lastSeq: () => number;
  /** Whether the terminal was disposed (a load then stops). */
  disposed: () => boolean;
}

export class TerminalHistory {
  readonly #options: TerminalHistoryOptions;
  /**
   * Output before this seq is not in the terminal as it was printed, only as the snapshot's
   * rendering: scrolling past the top loads it from the hub. 0: nothing older.
   */
  #before = 0;
  #loading = false;

  constructor(options: TerminalHistoryOptions) {
    this.#options = options;
  }

  /** A snapshot at `seq` replaced the screen: what came before it is its rendering only. */
  snapshotAt(seq: number): void {
    this.#before = seq + 1;
  }

  /** Whether older output than the terminal holds is stored at the hub (as far as it knows). */
  get hasOlder(): boolean {
    return this.#before > 0;
  }

  /**
   * The user scrolling up at the top of the buffer in `element` (wheel, touch) asks for older
   * output. Not xterm's onScroll: a reset scrolls to the top too, and must not fetch anything.
   */
  watchScrolling(element: HTMLElement): void {
    element.addEventListener("wheel", (e) => e.deltaY < 0 && this.maybeLoad(), {
      passive: true,
      capture: true,
    });
    element.addEventListener("touchmove", () => this.maybeLoad(), { passive: true, capture: true });
  }

  /** The user scrolled up (or pressed Shift+PageUp): loads older output once the top is in view. */
  maybeLoad(): void {
    if (this.#before > 0 && !this.#loading && this.#options.terminal.buffer.active.viewportY === 0) {
      void this.load();
    }
  }

  /** Loads older output than the terminal holds and redraws from it. */
  async load(): Promise<void> {
    const { id, terminal, lastSeq, disposed } = this.#options;
    if (this.#before === 0 || this.#loading || disposed()) return;
    this.#loading = true;
    try {
      const older = await olderOutput(id, this.#before, lastSeq);
      if (disposed() || !older) return;
      const buffer = terminal.buffer.active;
      const fromBottom = buffer.length - buffer.viewportY;
      terminal.options.scrollback = HISTORY_SCROLLBACK_LINES;
      terminal.reset();
      const decoder = new TextDecoder();
      for (const event of older.events) {
        const text = historyText(event, decoder);
        if (text) terminal.write(text);
      }
      this.#before = older.reachedStart ? 0 : older.from;
      await new Promise<void>((resolve) => terminal.write("", resolve));
      terminal.scrollToLine(Math.max(0, terminal.buffer.active.length - fromBottom));
    } catch (err) {
      console.warn("dispatch: could not load older output", err);
    } finally {
      this.#loading = false;
    }
  }
}

/** What the terminal prints for one event of older output, decoded with the redraw's decoder. */
function historyText(event: HistoryEvent, decoder: TextDecoder): string | undefined {
  if (event.output) return decoder.decode(event.output, { stream: true });
  if (event.type === "output") return undefined;
  // As live (`TerminalSession.event`): a character cut by an exit or a gap ends there,
  // unshown (a decode without `stream` empties the decoder; what it returns, a `�`, is dropped).
  if (event.type === "exit" || event.type === "gap") decoder.decode();
  return eventNote(event.type, event.data);
}
