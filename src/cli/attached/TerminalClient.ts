/**
 * The interactive terminal client: `dispatch` (picker first) and `dispatch attach NAME`. One
 * WebSocket, one raw terminal, one attached session at a time shown under an optional status
 * bar; the prefix key switches, creates, renames, closes sessions and opens the picker.
 *
 * When the hub goes away (a restart, a crash) the client says "reconnecting", retries with
 * backoff, finds the hub again (its port may have changed) and re-attaches the session from
 * the last seq it showed, so nothing is lost or doubled; it gives up after
 * `DISPATCH_RECONNECT_GIVE_UP_MS`.
 *
 * Every way out (detach, quit, session exit, hub gone, signal, exception) ends in `teardown`:
 * output is cut off first, then the terminal is restored (status row released, modes reset,
 * cooked mode), so no late frame can switch a mode back on after the reset.
 */
import { StringDecoder } from "node:string_decoder";
import { backoffDelay } from "../../core/backoff.js";
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { MIN_ROWS, type SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import { type DetachKey, findDetachKey } from "../detachKey.js";
import type { HubClient } from "../HubClient.js";
import { RawTerminal } from "../RawTerminal.js";
import { SessionStream, type SessionStreamHandlers, type StreamEnd } from "../SessionStream.js";
import { SeenState } from "../seenState.js";
import type { TerminalSettings } from "../terminalSettings.js";
import { parseKeys } from "../tui/keys.js";
import { Picker } from "../tui/Picker.js";
import { CLEAR_SCREEN, ENTER_ALT_SCREEN, fitWidth, LEAVE_ALT_SCREEN, wrapWidth } from "../tui/screen.js";
import { HistoryView } from "./HistoryView.js";
import { LiveSessions } from "./LiveSessions.js";
import { prefixHelp } from "./prefixHelp.js";
import { reconnectGiveUpMs } from "./reconnectSettings.js";
import {
  DISTURBS_STATUS_BAR,
  drawStatusBar,
  releaseStatusRow,
  reserveStatusRow,
  statusBarText,
} from "./StatusBar.js";

/** Signals that end the client; the terminal is restored first. */
export const EXIT_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
export type ExitSignal = keyof typeof EXIT_SIGNALS;
/** What the picker says on its bottom row when it is back after the hub went away. */
const RECONNECTED = "reconnected to the hub";
/** Bound on telling the hub we leave; it notices a closed socket anyway. */
const DETACH_TIMEOUT_MS = 1_000;

export type ClientEnd =
  | { reason: "detached"; name: string }
  | { reason: "quit" }
  | { reason: "ended"; end: Extract<StreamEnd, { reason: "exited" | "removed" }> }
  | { reason: "signal"; signal: ExitSignal }
  | { reason: "closed" };

export interface TerminalClientOptions {
  hub: HubClient;
  settings: TerminalSettings;
  detachKey: DetachKey | undefined;
  prefixKey: DetachKey | undefined;
  statusBar: boolean;
  /** Creates a session with the user's defaults at the given size. */
  create(socket: ClientSocket, size: { cols: number; rows: number }): Promise<SessionInfo>;
  /** Finds the hub again after it went away (a restarted hub may listen on another port). */
  relocate(): HubClient;
}

/** Where the client starts: attached to a session, or in the picker (with a first-run hint). */
export type ClientStart = { attach: string } | { picker: true; hint?: string };

type Prompt =
  | { mode: "rename"; text: string }
  | { mode: "close" }
  | { mode: "help" }
  | { mode: "history"; view: HistoryView };

/** Events per page read backwards for the history view: a few thousand lines of output. */
const HISTORY_PAGE_EVENTS = 500;
/** PageUp, which after the prefix opens the history view like `h`. */
const PAGE_UP = "\x1b[5~";

export class TerminalClient {
  private readonly terminal = new RawTerminal();
  private readonly seen: SeenState;
  private readonly decoder = new StringDecoder("utf8");
  private readonly cleanups: Array<() => void> = [];
  private socket: ClientSocket | undefined;
  private sessions: LiveSessions | undefined;
  private stream: SessionStream | undefined;
  private current: SessionInfo | undefined;
  private picker: Picker | undefined;
  private prompt: Prompt | undefined;
  private prefixPending = false;
  /** Session being closed with `w`: its end switches to another session instead of leaving. */
  private closing: string | undefined;
  private finished = false;
  /** Set while the hub is away and the client is trying to reach it again. */
  private reconnecting = false;
  private typedAhead = "";
  /** The terminal's rows when the bar's region was last set: a taller window has grown since. */
  private barRows: number | undefined;
  private hub: HubClient;
  private settle!: (end: ClientEnd) => void;
  private readonly ended = new Promise<ClientEnd>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly options: TerminalClientOptions) {
    this.seen = SeenState.inHome(options.hub.paths.home);
    this.hub = options.hub;
  }

  /** Runs until the user leaves; throws (terminal untouched) when the first attach fails. */
  async run(start: ClientStart): Promise<ClientEnd> {
    const onSignal = (signal: ExitSignal) => this.end({ reason: "signal", signal });
    const restore = () => this.terminal.restore();
    const onException = (err: unknown) => {
      this.teardownTerminal();
      console.error(`dispatch: ${err instanceof Error ? err.message : String(err)}`);
      process.exit(1);
    };
    // Before anything else: a signal at any moment from here on leaves through teardown.
    for (const signal of Object.keys(EXIT_SIGNALS) as ExitSignal[]) process.on(signal, onSignal);
    process.on("exit", restore);
    process.on("uncaughtException", onException);
    process.on("unhandledRejection", onException);
    this.cleanups.push(() => {
      for (const signal of Object.keys(EXIT_SIGNALS) as ExitSignal[]) process.off(signal, onSignal);
      process.off("uncaughtException", onException);
      process.off("unhandledRejection", onException);
    });
    try {
      const first = await Promise.race([this.start(start).then(() => undefined), this.ended]);
      return first ?? (await this.ended);
    } finally {
      await this.teardown();
    }
  }

  private async start(start: ClientStart): Promise<void> {
    const socket = await this.hub.connect("dispatch-tui");
    this.socket = socket;
    if (this.finished) return;
    this.sessions = await LiveSessions.load(socket);
    this.seen.prune(this.sessions.all());
    this.watch(socket, this.sessions);
    const onInput = (chunk: Buffer) => this.input(chunk);
    const onResize = () => this.resized();
    process.stdin.on("data", onInput);
    process.stdout.on("resize", onResize);
    this.cleanups.push(() => {
      process.stdin.off("data", onInput);
      process.stdout.off("resize", onResize);
    });
    if (this.finished) return;
    this.terminal.enter();
    if ("attach" in start) await this.switchTo(start.attach);
    else this.openPicker(start.hint);
  }

  /** Listens for the connection's end and the session list's changes (until replaced). */
  private watch(socket: ClientSocket, sessions: LiveSessions): void {
    this.cleanups.push(
      socket.onClose(() => this.connectionLost(socket)),
      sessions.onChange(() => {
        if (this.sessions === sessions) this.drawBar();
      }),
    );
  }

  private connectionLost(socket: ClientSocket): void {
    if (this.finished || socket !== this.socket || this.reconnecting) return;
    this.reconnect().catch(() => this.end({ reason: "closed" }));
  }

  /**
   * Retries with backoff until the hub answers again, then resumes where the client was; after
   * `DISPATCH_RECONNECT_GIVE_UP_MS` without a hub it ends as `closed`.
   */
  private async reconnect(): Promise<void> {
    this.reconnecting = true;
    const giveUpAt = Date.now() + reconnectGiveUpMs();
    const hadPicker = this.picker !== undefined;
    if (this.picker) {
      this.picker.close();
      this.picker = undefined;
      this.terminal.write(CLEAR_SCREEN);
    }
    if (this.prompt?.mode === "help" || this.prompt?.mode === "history") {
      if (this.prompt.mode === "history") this.prompt.view.close();
      this.terminal.write(LEAVE_ALT_SCREEN);
    }
    this.prompt = undefined;
    this.prefixPending = false;
    if (this.options.statusBar) this.setUpBar();
    else this.terminal.write("\r\n[dispatch: lost the hub; reconnecting…]\r\n");
    for (let attempt = 0; !this.finished; attempt++) {
      const wait = Math.min(backoffDelay(attempt), giveUpAt - Date.now());
      if (wait < 0) return this.end({ reason: "closed" });
      await Promise.race([delay(wait), this.ended]);
      if (this.finished) return;
      let socket: ClientSocket | undefined;
      try {
        // Found afresh each time: a restarted hub writes a new hub.json (its port may differ).
        const hub = this.options.relocate();
        socket = await hub.connect("dispatch-tui");
        await this.resume(socket, hub);
        if (hadPicker && !this.finished) this.openPicker(RECONNECTED);
        return;
      } catch (err) {
        await socket?.close();
        if (!isUnavailable(err)) throw err;
      }
    }
  }

  /** Carries on over a new connection: the session list afresh, the session from its last seq. */
  private async resume(socket: ClientSocket, hub: HubClient): Promise<void> {
    const sessions = await LiveSessions.load(socket);
    const old = this.stream;
    const current = this.current;
    let stream: SessionStream | undefined;
    if (old && current) {
      stream = new SessionStream(
        socket,
        this.streamHandlers(() => undefined),
      );
      try {
        // No snapshot: the screen already shows everything up to `old.seq`.
        await stream.attach(current.id, { afterSeq: old.seq, snapshot: false, ...this.sessionSize() });
      } catch (err) {
        stream.dispose();
        sessions.dispose();
        throw err;
      }
    }
    if (this.finished) {
      stream?.dispose();
      sessions.dispose();
      await socket.close();
      return;
    }
    old?.dispose();
    this.sessions?.dispose();
    this.hub = hub;
    this.socket = socket;
    this.sessions = sessions;
    this.reconnecting = false;
    this.watch(socket, sessions);
    if (stream) {
      this.stream = stream;
      const resumed = stream;
      stream.ended.then((end) => this.streamEnded(resumed, end));
    }
    if (this.typedAhead && current) socket.input(current.id, this.typedAhead);
    this.typedAhead = "";
    if (!socket.isOpen) this.connectionLost(socket);
    this.setUpBar();
  }

  private end(end: ClientEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.settle(end);
  }

  private async teardown(): Promise<void> {
    this.finished = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    const stream = this.stream;
    this.stream = undefined;
    stream?.dispose();
    if (stream && this.current) this.seen.mark(this.current.id, stream.seq);
    this.teardownTerminal();
    this.sessions?.dispose();
    if (this.socket) {
      if (this.socket.isOpen && this.current) {
        await Promise.race([
          this.socket.detach(this.current.id).catch(() => undefined),
          delay(DETACH_TIMEOUT_MS),
        ]);
      }
      await this.socket.close();
    }
  }

  /** Output cut off, then the terminal restored; synchronous, so exception paths can use it. */
  private teardownTerminal(): void {
    this.picker?.close();
    this.picker = undefined;
    const size = this.terminal.size();
    this.terminal.restore(this.options.statusBar && size ? releaseStatusRow(size.rows) : "");
  }

  private sessionSize(): { cols: number; rows: number } | undefined {
    const size = this.terminal.size();
    if (!size) return undefined;
    return this.options.statusBar ? { cols: size.cols, rows: Math.max(MIN_ROWS, size.rows - 1) } : size;
  }

  /** Shows `ref` (name or id) in place of the current session, from its current screen. */
  private async switchTo(ref: string): Promise<void> {
    const socket = this.socket;
    if (!socket || this.finished) return;
    this.leaveCurrent();
    // The screen is cleared when the new session's first bytes arrive (or its attach is
    // confirmed), never before: an attach that fails leaves the terminal untouched.
    let fresh = true;
    const clearOnce = () => {
      if (!fresh) return;
      fresh = false;
      this.terminal.write(CLEAR_SCREEN);
      this.setUpBar();
    };
    const stream = new SessionStream(
      socket,
      this.streamHandlers(clearOnce, () => {
        fresh = false;
      }),
    );
    this.stream = stream;
    let info: SessionInfo;
    try {
      info = await stream.attach(ref, { snapshot: true, ...this.sessionSize() });
    } catch (err) {
      stream.dispose();
      if (this.stream === stream) this.stream = undefined;
      throw err;
    }
    if (this.stream !== stream) return;
    this.current = info;
    clearOnce();
    stream.ended.then((end) => this.streamEnded(stream, end));
    this.drawBar();
  }

  private streamHandlers(beforeOutput: () => void, onSnapshot?: () => void): SessionStreamHandlers {
    return {
      output: (data) => {
        beforeOutput();
        this.output(data);
      },
      snapshot: (snapshot) => {
        onSnapshot?.();
        this.showScreen(snapshot.data);
      },
    };
  }

  private leaveCurrent(): void {
    const previous = this.stream;
    const current = this.current;
    this.stream = undefined;
    if (!previous) return;
    previous.dispose();
    if (current) {
      this.seen.mark(current.id, previous.seq);
      this.socket?.detach(current.id).catch(() => undefined);
    }
  }

  private output(data: Uint8Array | string, redrawBar = false): void {
    if (this.picker || this.onOwnScreen()) return;
    this.terminal.write(data);
    if (!this.options.statusBar) return;
    if (
      redrawBar ||
      DISTURBS_STATUS_BAR.test(typeof data === "string" ? data : Buffer.from(data).toString("latin1"))
    )
      this.setUpBar();
  }

  /**
   * A session's screen in place of what is shown. The bar's region is set first: a screen
   * taller than it (one from before the hub applied this client's size) scrolls inside it
   * instead of leaving the cursor on the bar's row.
   */
  private showScreen(data: string): void {
    if (this.picker || this.onOwnScreen()) return;
    this.terminal.write(CLEAR_SCREEN);
    this.setUpBar();
    this.output(data, true);
  }

  /** The help or history view is up, on the alternate screen: the session's output waits. */
  private onOwnScreen(): boolean {
    return this.prompt?.mode === "help" || this.prompt?.mode === "history";
  }

  private streamEnded(stream: SessionStream, end: StreamEnd): void {
    // A dropped connection is the reconnect's business (`connectionLost`), not the session's end.
    if (stream !== this.stream || end.reason === "closed") return;
    if (this.closing && this.current && this.closing === this.current.id) {
      this.closing = undefined;
      this.seen.mark(end.session.id, stream.seq);
      const next = this.runningSessions().find((s) => s.id !== end.session.id);
      this.stream = undefined;
      stream.dispose();
      this.current = undefined;
      if (next) void this.switchOrReport(next.id);
      else this.openPicker();
      return;
    }
    this.end({ reason: "ended", end });
  }

  private runningSessions(): SessionInfo[] {
    return (this.sessions?.all() ?? []).filter((s) => isLiveStatus(s.status));
  }

  private input(chunk: Buffer): void {
    if (this.finished) return;
    if (this.picker) return this.picker.feed(this.decoder.write(chunk));
    if (this.prompt) return this.promptInput(this.prompt, this.decoder.write(chunk));
    if (this.prefixPending) {
      this.prefixPending = false;
      this.drawBar();
      return this.command(chunk);
    }
    const detachAt = findDetachKey(chunk, this.options.detachKey);
    const prefixAt = findDetachKey(chunk, this.options.prefixKey);
    if (detachAt >= 0 && (prefixAt < 0 || detachAt <= prefixAt)) {
      this.send(chunk.subarray(0, detachAt));
      return this.end({ reason: "detached", name: this.current?.name ?? "" });
    }
    if (prefixAt < 0) return this.send(chunk);
    this.send(chunk.subarray(0, prefixAt));
    const rest = chunk.subarray(prefixAt + matchLength(chunk, prefixAt, this.options.prefixKey));
    if (rest.length > 0) return this.command(rest);
    this.prefixPending = true;
    this.drawBar();
  }

  private send(bytes: Uint8Array): void {
    const keys = this.decoder.write(Buffer.from(bytes));
    if (keys.length === 0 || !this.current) return;
    // Typed while the hub is away: sent once it is back, in order.
    if (this.reconnecting) this.typedAhead += keys;
    else this.socket?.input(this.current.id, keys);
  }

  private command(chunk: Buffer): void {
    const prefix = this.options.prefixKey;
    if (prefix && matchLength(chunk, 0, prefix) > 0) return this.send(chunk);
    if (chunk.toString("latin1").startsWith(PAGE_UP)) return this.openHistory();
    const key = chunk.toString("utf8").charAt(0);
    const running = this.runningSessions();
    const at = running.findIndex((s) => s.id === this.current?.id);
    switch (key) {
      case "d":
        return this.end({ reason: "detached", name: this.current?.name ?? "" });
      case "]":
      case "[": {
        if (running.length === 0) return;
        const step = key === "]" ? 1 : -1;
        const next = running[(at + step + running.length) % running.length] as SessionInfo;
        if (next.id !== this.current?.id) void this.switchOrReport(next.id);
        return;
      }
      case "n":
        void this.createAndSwitch();
        return;
      case "s":
        this.openPicker();
        return;
      case "h":
        this.openHistory();
        return;
      case "w":
      case "r":
      case "?":
        if (!this.current) return;
        this.prompt =
          key === "w" ? { mode: "close" } : key === "r" ? { mode: "rename", text: "" } : { mode: "help" };
        if (key === "?") this.showHelp();
        this.drawBar();
        return;
      default:
        return;
    }
  }

  private promptInput(prompt: Prompt, data: string): void {
    const current = this.current;
    if (prompt.mode === "history") {
      if (!prompt.view.feed(data)) return;
      this.prompt = undefined;
      this.terminal.write(LEAVE_ALT_SCREEN);
      if (current) void this.switchOrReport(current.id);
      return;
    }
    const keys = parseKeys(data);
    if (prompt.mode === "help" || !current) {
      this.prompt = undefined;
      this.terminal.write(LEAVE_ALT_SCREEN);
      if (current) void this.switchOrReport(current.id);
      return;
    }
    for (const key of keys) {
      if (key.name === "escape" || (key.name === "ctrl" && key.char === "c")) {
        this.prompt = undefined;
        break;
      }
      if (prompt.mode === "close") {
        this.prompt = undefined;
        if (key.name === "char" && key.char.toLowerCase() === "y") {
          this.closing = current.id;
          this.socket?.kill(current.id).catch((err) => this.flash(String(err.message ?? err)));
        }
        break;
      }
      if (key.name === "enter") {
        this.prompt = undefined;
        const name = prompt.text.trim();
        if (name && name !== current.name) {
          this.socket
            ?.rename(current.id, name)
            .then((renamed) => {
              this.current = renamed;
              this.drawBar();
            })
            .catch((err) => this.flash(String(err.message ?? err)));
        }
        break;
      }
      if (key.name === "backspace") prompt.text = [...prompt.text].slice(0, -1).join("");
      else if (key.name === "char") prompt.text += key.char;
    }
    this.drawBar();
  }

  private showHelp(): void {
    const lines = prefixHelp(
      this.options.prefixKey ? labelOf(this.options.prefixKey) : "(no prefix)",
      this.options.detachKey?.label,
    );
    const cols = this.terminal.size()?.cols ?? 80;
    this.terminal.write(
      `${ENTER_ALT_SCREEN}${CLEAR_SCREEN}${lines.flatMap((l) => wrapWidth(l.trimEnd(), cols)).join("\r\n")}\r\n\r\npress any key`,
    );
  }

  /** The pager over older output (`HistoryView`), from the seq this client has shown. */
  private openHistory(): void {
    const current = this.current;
    const stream = this.stream;
    if (!current || !stream) return;
    const hub = this.hub;
    const view = new HistoryView({
      name: current.name,
      before: stream.seq + 1,
      fetchOlder: (before) => hub.history(current.id, before, HISTORY_PAGE_EVENTS),
      size: () => this.terminal.size() ?? { cols: 80, rows: 24 },
      write: (text) => this.terminal.write(text),
    });
    this.prompt = { mode: "history", view };
    this.terminal.write(ENTER_ALT_SCREEN);
    void view.open();
  }

  private async createAndSwitch(): Promise<void> {
    try {
      const socket = this.socket;
      const size = this.sessionSize() ?? { cols: 80, rows: 24 };
      if (socket) await this.switchTo((await this.options.create(socket, size)).id);
    } catch (err) {
      this.flash(err instanceof Error ? err.message : String(err));
    }
  }

  private async switchOrReport(ref: string): Promise<void> {
    try {
      await this.switchTo(ref);
    } catch (err) {
      this.flash(err instanceof Error ? err.message : String(err));
    }
  }

  private openPicker(hint?: string): void {
    const socket = this.socket;
    const sessions = this.sessions;
    if (!socket || !sessions || this.picker || this.reconnecting) return;
    const previous = this.current;
    this.leaveCurrent();
    const size = this.terminal.size();
    if (this.options.statusBar && size) this.terminal.write(releaseStatusRow(size.rows));
    const picker = new Picker({
      socket,
      hub: this.hub,
      terminal: this.terminal,
      sessions,
      seen: this.seen,
      size: () => this.terminal.size() ?? { cols: 80, rows: 24 },
      create: () => this.options.create(socket, this.sessionSize() ?? { cols: 80, rows: 24 }),
      ...(previous ? { current: previous.id } : {}),
      ...(hint ? { hint } : {}),
    });
    this.picker = picker;
    void picker.result.then((result) => {
      if (this.picker !== picker) return;
      this.picker = undefined;
      if (result.type === "attach") return this.switchOrReport(result.session.id);
      if (previous && this.sessions?.get(previous.id)) return this.switchOrReport(previous.id);
      this.end({ reason: "quit" });
    });
  }

  private resized(): void {
    if (this.picker) return this.picker.draw();
    if (this.prompt?.mode === "history") this.prompt.view.redraw();
    const size = this.sessionSize();
    if (size && this.current) this.socket?.resize(this.current.id, size.cols, size.rows);
    this.setUpBar();
  }

  /** A one-off message on the status row (errors of prefix commands). */
  private flash(text: string): void {
    const size = this.terminal.size();
    if (size && !this.picker) this.terminal.write(drawStatusBar(fitWidth(` ${text}`, size.cols), size.rows));
  }

  private setUpBar(): void {
    const size = this.terminal.size();
    if (!this.options.statusBar || !size || this.picker) return;
    // Not over help or history: no session scrolls there, and moving the cursor would scroll them.
    if (!this.onOwnScreen()) {
      const grew = this.barRows !== undefined && size.rows > this.barRows;
      this.barRows = size.rows;
      this.terminal.write(reserveStatusRow(size.rows, { grew }));
    }
    this.drawBar();
  }

  private drawBar(): void {
    const size = this.terminal.size();
    if (!size || this.picker || this.finished || this.prompt?.mode === "history") return;
    const prefix = this.options.prefixKey ? labelOf(this.options.prefixKey) : undefined;
    const prompt = this.promptText(prefix);
    if (!this.options.statusBar && prompt === undefined) return;
    const current = this.current ? (this.sessions?.get(this.current.id) ?? this.current) : undefined;
    const text = statusBarText(
      {
        current,
        sessions: this.sessions?.all() ?? [],
        isUnread: (s) => this.seen.isUnread(s),
        ...(prompt !== undefined ? { prompt } : {}),
        hint: prefix ? `${prefix} ? help` : "",
      },
      size.cols,
    );
    this.terminal.write(drawStatusBar(text, size.rows));
  }

  private promptText(prefix: string | undefined): string | undefined {
    const name = this.current?.name ?? "";
    if (this.reconnecting) return "lost the hub; reconnecting… (what you type is sent when it is back)";
    if (this.prompt?.mode === "close") return `close ${name}: kill the session? (y/n)`;
    if (this.prompt?.mode === "rename")
      return `rename ${name} to: ${this.prompt.text}▏ (Enter ok, Esc cancel)`;
    if (this.prefixPending)
      return `${prefix}: n new  ] next  [ prev  s picker  h history  w close  r rename  d detach  ? help`;
    return undefined;
  }
}

/** Length of the prefix key's sequence at `at` in `chunk` (0: none there). */
function matchLength(chunk: Uint8Array, at: number, key: DetachKey | undefined): number {
  for (const sequence of key?.sequences ?? []) {
    if (sequence.every((byte, i) => chunk[at + i] === byte)) return sequence.length;
  }
  return 0;
}

function labelOf(key: DetachKey): string {
  return key.label;
}

/** Errors worth another try while a hub restarts; a refused key or a removed session are not. */
function isUnavailable(err: unknown): boolean {
  return !(
    err instanceof DispatchError &&
    (err.code === "unauthorized" || err.code === "forbidden" || err.code === "not_found")
  );
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}
