/**
 * One xterm per opened session, kept alive in the page while other sessions are shown, so
 * switching back costs a repaint, not a replay. It remembers the last seq it applied, so a
 * reconnect resumes with `attach {afterSeq: lastSeq}` and drops anything it already has.
 */

import { FitAddon } from "@xterm/addon-fit";
import { SearchAddon } from "@xterm/addon-search";
import { Unicode11Addon } from "@xterm/addon-unicode11";
import { WebLinksAddon } from "@xterm/addon-web-links";
import { Terminal } from "@xterm/xterm";
import type { JsonEvent } from "../../../src/protocol/events.js";
import type { SessionView } from "../kinds/kind.js";
import { pasteText } from "./paste-text.js";
import { echoParsed } from "./perf.js";
import { attachRenderer, type RendererKind } from "./renderer.js";
import { TerminalHistory } from "./terminal-history.js";
import { eventNote } from "./terminal-notes.js";
import { terminalOptions } from "./terminal-options.js";

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
  /** Older output than the terminal holds, loaded when the user scrolls past the top. */
  readonly #history: TerminalHistory;
  /** The last keydown's time, and the oldest sent key not yet followed by output (echo timing). */
  #keyDownAt: number | null = null;
  #keyAt: number | null = null;
  // Output frames may split a UTF-8 character; a streaming decoder stitches them back.
  #decoder = new TextDecoder();

  constructor(options: TerminalSessionOptions) {
    this.id = options.id;
    this.element = document.createElement("div");
    this.element.className = "xterm-host";
    this.terminal = new Terminal(terminalOptions(options));
    this.#history = new TerminalHistory({
      id: this.id,
      terminal: this.terminal,
      lastSeq: () => this.lastSeq,
      disposed: () => this.#disposed,
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
      if (e.type === "keydown" && e.shiftKey && e.key === "PageUp") this.#history.maybeLoad();
      return this.#copyOnCtrlC(e);
    });
    this.terminal.onData((data) => {
      this.#keyAt ??= this.#keyDownAt ?? performance.now();
      options.onInput(data);
    });
    this.element.addEventListener("keydown", (e) => (this.#keyDownAt = e.timeStamp), { capture: true });
    this.#history.watchScrolling(this.element);
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
        const note = eventNote(event.type, event.data);
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
    this.#history.snapshotAt(snap.seq);
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
    return this.#history.hasOlder;
  }

  /**
   * Loads older output than the terminal holds and redraws from it: the older page, then
   * every event since, as printed. The line at the top stays in view.
   */
  loadOlder(): Promise<void> {
    return this.#history.load();
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
