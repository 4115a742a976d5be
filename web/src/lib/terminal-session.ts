/**
 * One xterm per opened session, kept alive in the page while other sessions are shown, so
 * switching back costs a repaint, not a replay. It remembers the last seq it applied, so a
 * reconnect resumes with `attach {afterSeq: lastSeq}` and drops anything it already has.
 */

import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { type ITheme, Terminal } from "@xterm/xterm";
import { gapNote } from "../../../src/protocol/droppedEvent.js";
import type { JsonEvent } from "../../../src/protocol/events.js";
import type { SessionView } from "../kinds/kind.js";
import { exitNote } from "./exit-note.js";
import { type HistoryEvent, olderOutput } from "./history.js";
import { pasteText } from "./paste-text.js";
import { echoParsed } from "./perf.js";
import { attachRenderer, type RendererKind } from "./renderer.js";

export const THEME: ITheme = {
  background: "#0d1117",
  foreground: "#d6dde6",
  cursor: "#7ee787",
  cursorAccent: "#0d1117",
  selectionBackground: "#2f4d6f",
  black: "#484f58",
  red: "#ff7b72",
  green: "#3fb950",
  yellow: "#d29922",
  blue: "#58a6ff",
  magenta: "#bc8cff",
  cyan: "#39c5cf",
  white: "#b1bac4",
  brightBlack: "#6e7681",
  brightRed: "#ffa198",
  brightGreen: "#56d364",
  brightYellow: "#e3b341",
  brightBlue: "#79c0ff",
  brightMagenta: "#d2a8ff",
  brightCyan: "#56d4dd",
  brightWhite: "#f0f6fc",
};

/** Scrollback per terminal: enough for real work, bounded so 16 open terminals stay light. */
const SCROLLBACK_LINES = 10_000;
/** Scrollback once the user has asked for older output: room for what retention kept. */
const HISTORY_SCROLLBACK_LINES = 100_000;

/** Row height as a multiple of the font's: room below the baseline for `_` (see the constructor). */
const LINE_HEIGHT = 1.2;

const textDecoderOptions = { stream: true } as const;

export interface TerminalSessionOptions {
  id: string;
  cols: number;
  rows: number;
  /** Keystrokes and pastes typed into this terminal. */
  onInput(data: string): void;
}

/** The terminal of an opened session, at the session's size, typing into `io`. */
export function terminalFor(
  info: { id: string; cols: number; rows: number },
  io: { input(data: string): void },
): TerminalSession {
  return new TerminalSession({
    id: info.id,
    cols: info.cols,
    rows: info.rows,
    onInput: (data) => io.input(data),
  });
}

export class TerminalSession implements SessionView {
  readonly id: string;
  readonly terminal: Terminal;
  readonly element: HTMLDivElement;
  readonly search = new SearchAddon();
  readonly #fit = new FitAddon();
  /** Seq of the last event applied to the screen. */
  lastSeq = 0;
  renderer: RendererKind = "dom";
  /** Seq the screen must reach to show the session's current state (from `attached`). */
  #targetSeq = 0;
  /** Seq of the last event xterm has parsed (writes are asynchronous). */
  #parsedSeq = 0;
  #readyWaiters: (() => void)[] = [];
  #opened = false;
  #disposed = false;
  /**
   * Output before this seq is not in the terminal as it was printed, only as the snapshot's
   * rendering (2000 lines): scrolling past the top loads it from the hub. 0: nothing older.
   */
  #historyBefore = 0;
  #loadingHistory = false;
  /** The last keydown's time, and the oldest sent key not yet followed by output (echo timing). */
  #keyDownAt: number | null = null;
  #keyAt: number | null = null;
  // Output frames may split a UTF-8 character; a streaming decoder stitches them back.
  #decoder = new TextDecoder();

  constructor(options: TerminalSessionOptions) {
    this.id = options.id;
    this.element = document.createElement("div");
    this.element.className = "xterm-host";
    this.terminal = new Terminal({
      cols: options.cols,
      rows: options.rows,
      scrollback: SCROLLBACK_LINES,
      allowProposedApi: true,
      // Steady, as xterm's own default: with the DOM renderer a blinking cursor is a CSS
      // animation that keeps the page painting, and keys and output waited behind its frames
      // (echo p90 20 ms blinking, 8 ms steady, in headless chromium; docs/BENCHMARKS.md).
      cursorBlink: false,
      fontFamily: '"JetBrains Mono", "Fira Code", "DejaVu Sans Mono", Menlo, Consolas, monospace',
      fontSize: 14,
      // The DOM renderer clips each row to its cell height; at 1.0 a font whose descent
      // reaches the cell's bottom (DejaVu Sans Mono, the usual Linux fallback) loses its
      // underscores. A little leading keeps them inside the row.
      lineHeight: LINE_HEIGHT,
      theme: THEME,
      screenReaderMode: false,
    });
    this.terminal.loadAddon(this.#fit);
    // Unicode 11 widths (emoji take two cells), as programs and the hub's screen count them.
    this.terminal.loadAddon(new Unicode11Addon());
    this.terminal.unicode.activeVersion = "11";
    this.terminal.loadAddon(this.search);
    this.terminal.loadAddon(
      new WebLinksAddon((event, uri) => {
        event.preventDefault();
        window.open(uri, "_blank", "noopener,noreferrer");
      }),
    );
    this.terminal.attachCustomKeyEventHandler((e) => {
      // Shift+PageUp at the top, like the wheel: older output.
      if (e.type === "keydown" && e.shiftKey && e.key === "PageUp") this.#maybeLoadOlder();
      return this.#copyOnCtrlC(e);
    });
    this.terminal.onData((data) => {
      this.#keyAt ??= this.#keyDownAt ?? performance.now();
      options.onInput(data);
    });
    this.element.addEventListener("keydown", (e) => (this.#keyDownAt = e.timeStamp), { capture: true });
    // The user scrolling up at the top of the buffer (wheel, touch) asks for older output.
    // Not xterm's onScroll: a reset scrolls to the top too, and must not fetch anything.
    this.element.addEventListener("wheel", (e) => e.deltaY < 0 && this.#maybeLoadOlder(), {
      passive: true,
      capture: true,
    });
    this.element.addEventListener("touchmove", () => this.#maybeLoadOlder(), {
      passive: true,
      capture: true,
    });
    this.terminal.onBinary((data) => options.onInput(data));
    // The browser's paste (Ctrl+Shift+V, the context menu), taken before xterm's own handler
    // so it goes through `paste` and its guard like every other paste.
    this.element.addEventListener(
      "paste",
      (e) => {
        const text = e.clipboardData?.getData("text/plain");
        if (!text) return;
        e.preventDefault();
        e.stopPropagation();
        this.paste(text);
      },
      { capture: true },
    );
  }

  /** Pastes `text` as xterm does, without what could end a bracketed paste early (paste-text). */
  paste(text: string): void {
    this.terminal.paste(pasteText(text, this.terminal.modes.bracketedPasteMode));
  }

  /** Opens xterm into its element once the element is in the document (xterm measures fonts). */
  open(): void {
    if (this.#opened || this.#disposed) return;
    this.#opened = true;
    this.terminal.open(this.element);
    this.terminal.textarea?.setAttribute("aria-label", "Terminal input");
    void attachRenderer(this.terminal).then((kind) => {
      this.renderer = kind;
    });
  }

  /** Fits to the element; returns the new size, or undefined when hidden or unchanged. */
  fit(): { cols: number; rows: number } | undefined {
    if (this.element.offsetParent === null) return undefined;
    const size = this.proposed();
    if (!size || (size.cols === this.terminal.cols && size.rows === this.terminal.rows)) return undefined;
    this.terminal.resize(size.cols, size.rows);
    return size;
  }

  /** The size a fit would give now (undefined when not open): equal to the size once layout settled. */
  proposed(): { cols: number; rows: number } | undefined {
    const size = this.#opened ? this.#fit.proposeDimensions() : undefined;
    if (!size || !Number.isFinite(size.cols) || !Number.isFinite(size.rows)) return undefined;
    return { cols: Math.max(2, size.cols), rows: Math.max(1, size.rows) };
  }

  /** Follows a size set by another client while this terminal is in the background. */
  follow(cols: number, rows: number): void {
    if (cols !== this.terminal.cols || rows !== this.terminal.rows) this.terminal.resize(cols, rows);
  }

  /** An attach is on its way: the screen is not current until its reply says up to where. */
  attaching(): void {
    this.#targetSeq = Number.POSITIVE_INFINITY;
  }

  /** After `attached`: the screen is current once it has applied everything up to `seq`. */
  attached(seq: number): void {
    this.#targetSeq = seq;
    this.#checkReady();
  }

  /** Whether `seq` is live output (past what the attach replayed), not history. */
  isLiveSeq(seq: number): boolean {
    return seq > this.#targetSeq;
  }

  get isCurrent(): boolean {
    return this.#parsedSeq >= this.#targetSeq;
  }

  /** Resolves once the screen shows everything up to the attach target and xterm has parsed it. */
  whenCurrent(): Promise<void> {
    if (this.isCurrent) return new Promise((resolve) => this.terminal.write("", resolve));
    return new Promise((resolve) => this.#readyWaiters.push(resolve));
  }

  /** Applies an output event; returns false for one already applied (replay overlap). */
  output(seq: number, data: Uint8Array): boolean {
    if (seq <= this.lastSeq || this.#disposed) return false;
    this.lastSeq = seq;
    const text = this.#decoder.decode(data, textDecoderOptions);
    const keyAt = this.#keyAt;
    this.#keyAt = null;
    this.terminal.write(text, () => {
      this.#parsed(seq);
      if (keyAt !== null) echoParsed(keyAt);
    });
    return true;
  }

  /** Applies a non-output event (its seq counts in the same sequence as output). */
  event(event: JsonEvent): boolean {
    if (event.seq <= this.lastSeq || this.#disposed) return false;
    this.lastSeq = event.seq;
    switch (event.type) {
      case "exit":
      case "gap": {
        // Bytes held from a character the program never finished (it died inside it, or the
        // rest was lost) end with it, as on the hub's screen; kept, they turned the first
        // character after a revive into `�`.
        this.#decoder = new TextDecoder();
        const note = this.#note(event.type, event.data);
        if (note) this.terminal.write(note);
        break;
      }
      case "resize": {
        const cols = event.data["cols"];
        const rows = event.data["rows"];
        if (typeof cols === "number" && typeof rows === "number" && this.element.offsetParent === null) {
          this.follow(cols, rows);
        }
        break;
      }
      default:
        break;
    }
    this.terminal.write("", () => this.#parsed(event.seq));
    return true;
  }

  /**
   * Replaces everything with the hub's rendered screen at `seq`. The screen was serialized at
   * the session's size, so it is written at that size; `written` runs once it is parsed (the
   * active terminal then fits itself to its box again).
   */
  snapshot(snap: { seq: number; cols: number; rows: number; data: string }, written?: () => void): void {
    if (this.#disposed) return;
    this.terminal.reset();
    // Bytes held from a frame cut inside a character belong to the screen replaced here;
    // kept, they turned the first character after the snapshot into `�`.
    this.#decoder = new TextDecoder();
    this.follow(snap.cols, snap.rows);
    this.lastSeq = snap.seq;
    this.#historyBefore = snap.seq + 1;
    this.terminal.write(snap.data, () => {
      this.#parsed(snap.seq);
      written?.();
    });
  }

  focus(): void {
    this.terminal.focus();
  }

  /** Whether older output than the terminal holds is stored at the hub (as far as it knows). */
  get hasOlder(): boolean {
    return this.#historyBefore > 0;
  }

  #maybeLoadOlder(): void {
    if (this.#historyBefore > 0 && !this.#loadingHistory && this.terminal.buffer.active.viewportY === 0) {
      void this.loadOlder();
    }
  }

  /**
   * Loads older output than the terminal holds and redraws from it: the older page, then
   * every event since, as printed. The line at the top stays in view.
   */
  async loadOlder(): Promise<void> {
    if (this.#historyBefore === 0 || this.#loadingHistory || this.#disposed) return;
    this.#loadingHistory = true;
    try {
      const older = await olderOutput(this.id, this.#historyBefore, () => this.lastSeq);
      if (this.#disposed || !older) return;
      const buffer = this.terminal.buffer.active;
      const fromBottom = buffer.length - buffer.viewportY;
      this.terminal.options.scrollback = HISTORY_SCROLLBACK_LINES;
      this.terminal.reset();
      const decoder = new TextDecoder();
      for (const event of older.events) {
        const text = this.#historyText(event, decoder);
        if (text) this.terminal.write(text);
      }
      this.#historyBefore = older.reachedStart ? 0 : older.from;
      await new Promise<void>((resolve) => this.terminal.write("", resolve));
      this.terminal.scrollToLine(Math.max(0, this.terminal.buffer.active.length - fromBottom));
    } catch (err) {
      console.warn("dispatch: could not load older output", err);
    } finally {
      this.#loadingHistory = false;
    }
  }

  #historyText(event: HistoryEvent, decoder: TextDecoder): string | undefined {
    if (event.output) return decoder.decode(event.output, textDecoderOptions);
    if (event.type === "output") return undefined;
    // As live (`event`): a character cut by an exit or a gap ends there, unshown (a decode
    // without `stream` empties the decoder; what it returns, a `�`, is dropped).
    if (event.type === "exit" || event.type === "gap") decoder.decode();
    return this.#note(event.type, event.data);
  }

  /** What the terminal shows for a non-output event (an exit, a gap), if anything. */
  #note(type: string, data: Record<string, unknown>): string | undefined {
    if (type === "exit") return `\r\n\x1b[2m[${exitNote(data)}]\x1b[0m\r\n`;
    if (type === "gap") {
      return `\r\n\x1b[33m[${gapNote(data)}]\x1b[0m\r\n`;
    }
    return undefined;
  }

  dispose(): void {
    this.#disposed = true;
    this.terminal.dispose();
    this.element.remove();
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) w();
  }

  /** Ctrl+C with a selection copies it (as in VS Code); without one it is an interrupt. */
  #copyOnCtrlC(e: KeyboardEvent): boolean {
    if (e.type !== "keydown" || !e.ctrlKey || e.shiftKey || e.altKey || e.metaKey || e.code !== "KeyC")
      return true;
    if (!this.terminal.hasSelection()) return true;
    // Without the Clipboard API (insecure origin) Ctrl+C stays an interrupt.
    if (!navigator.clipboard) return true;
    navigator.clipboard.writeText(this.terminal.getSelection()).then(
      () => this.terminal.clearSelection(),
      () => {
        // Refused (no permission): the selection stays, to copy from the context menu.
      },
    );
    return false;
  }

  #parsed(seq: number): void {
    this.#parsedSeq = Math.max(this.#parsedSeq, seq);
    this.#checkReady();
  }

  #checkReady(): void {
    if (!this.isCurrent || this.#readyWaiters.length === 0) return;
    const waiters = this.#readyWaiters;
    this.#readyWaiters = [];
    for (const w of waiters) w();
  }
}
