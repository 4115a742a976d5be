/**
 * The status bar as the attached client keeps it on its terminal: the bottom row reserved
 * below the session's scroll region (again after anything that disturbs it, and after a
 * resize), the bar drawn there with the client's state or what it asks, and one-off messages.
 * The bar's text and escape sequences are `StatusBar.ts`'s. The session gets the rows above it.
 */
import { MIN_ROWS, type SessionInfo } from "../../protocol/session.js";
import type { DetachKey } from "../detachKey.js";
import type { RawTerminal } from "../RawTerminal.js";
import type { SeenState } from "../seenState.js";
import { fitWidth } from "../tui/screen.js";
import type { LiveSessions } from "./LiveSessions.js";
import { isOwnScreen, type Prompt } from "./Prompts.js";
import { drawStatusBar, releaseStatusRow, reserveStatusRow, statusBarText } from "./StatusBar.js";

/** What the bar shows: the client's state, read each time the bar is drawn. */
export interface StatusRowState {
  /** The picker has the screen, and no bar is drawn. */
  picker: boolean;
  /** The client is leaving: nothing more is drawn. */
  finished: boolean;
  prompt: Prompt | undefined;
  current: SessionInfo | undefined;
  sessions: LiveSessions | undefined;
  /** The hub is away and the client is trying to reach it again. */
  reconnecting: boolean;
  /** The session (name or id) of a switch waiting for the hub to be back. */
  switchingTo: string | undefined;
  /** The prefix key was pressed: the next key is a command. */
  prefixPending: boolean;
  /** This client may only watch the current session. */
  readOnly: boolean;
}

export interface StatusRowOptions {
  terminal: RawTerminal;
  /** Whether the bar is shown at all; without it the row is used only while asking. */
  enabled: boolean;
  prefixKey: DetachKey | undefined;
  seen: SeenState;
  state(): StatusRowState;
}

export class StatusRow {
  /** The terminal's rows when the bar's region was last set: a taller window has grown since. */
  private barRows: number | undefined;
  /** What the bar says about a session until the next key (`notice`). */
  private shownNotice: { session: string; text: string } | undefined;
  /** The notice last printed without a bar. */
  private printedNotice: string | undefined;

  constructor(private readonly options: StatusRowOptions) {}

  get enabled(): boolean {
    return this.options.enabled;
  }

  /** The session's size: the terminal's, less the bar's row. */
  sessionSize(): { cols: number; rows: number } | undefined {
    const size = this.options.terminal.size();
    if (!size) return undefined;
    return this.options.enabled ? { cols: size.cols, rows: Math.max(MIN_ROWS, size.rows - 1) } : size;
  }

  /** Reserves the bottom row below the session's region (again) and draws the bar. */
  setUp(): void {
    const { terminal, enabled } = this.options;
    const size = terminal.size();
    const state = this.options.state();
    if (!enabled || !size || state.picker) return;
    // Not over help or history: no session scrolls there, and moving the cursor would scroll them.
    if (!isOwnScreen(state.prompt)) {
      const grew = this.barRows !== undefined && size.rows > this.barRows;
      this.barRows = size.rows;
      terminal.write(reserveStatusRow(size.rows, { grew }));
    }
    this.draw();
  }

  draw(): void {
    const size = this.options.terminal.size();
    const state = this.options.state();
    if (!size || state.picker || state.finished || state.prompt?.mode === "history") return;
    const prefix = this.options.prefixKey?.label;
    const notice = this.shownNotice;
    const prompt =
      promptText(state, prefix) ?? (notice && notice.session === state.current?.id ? notice.text : undefined);
    if (!this.options.enabled && prompt === undefined) return;
    const current = state.current ? (state.sessions?.get(state.current.id) ?? state.current) : undefined;
    const text = statusBarText(
      {
        current,
        sessions: state.sessions?.all() ?? [],
        readOnly: state.readOnly,
        isUnread: (s) => this.options.seen.isUnread(s),
        ...(prompt !== undefined ? { prompt } : {}),
        hint: prefix ? `${prefix} ? help` : "",
      },
      size.cols,
    );
    this.options.terminal.write(drawStatusBar(text, size.rows));
  }

  /**
   * Something the person must not miss about the session shown (it became read-only): on the
   * bar instead of the sessions until the next key or another session is shown, so a redraw
   * (new output, the list changing) does not wipe it before it is read. Without a bar it is
   * printed in the session's rows, as the hub going away is.
   */
  notice(session: string, text: string): void {
    if (!this.options.enabled) {
      // Once per message: a viewer's every key would otherwise print it again.
      if (this.printedNotice === text) return;
      this.printedNotice = text;
      this.options.terminal.write(`\r\n[dispatch: ${text}]\r\n`);
      return;
    }
    this.shownNotice = { session, text };
    this.draw();
  }

  /** A key was typed: the notice has been seen, and the bar shows the sessions again. */
  noticeSeen(): void {
    if (!this.shownNotice) return;
    this.shownNotice = undefined;
    this.draw();
  }

  /**
   * A one-off message on the status row (errors of prefix commands, keys not sent); without a
   * bar, a line of its own: the row is the session's then, and drawn over it hid its last line.
   */
  flash(text: string): void {
    if (this.options.state().picker) return;
    if (!this.options.enabled) {
      this.options.terminal.write(`\r\n[dispatch: ${text}]\r\n`);
      return;
    }
    const size = this.options.terminal.size();
    if (size) {
      this.options.terminal.write(drawStatusBar(fitWidth(` ${text}`, size.cols), size.rows));
    }
  }

  /** What gives the bar's row back to the screen (the picker's, or the shell's); "" without a bar. */
  released(): string {
    const size = this.options.terminal.size();
    return this.options.enabled && size ? releaseStatusRow(size.rows) : "";
  }
}

/** The bar's text while the client asks or waits, instead of the sessions. */
function promptText(state: StatusRowState, prefix: string | undefined): string | undefined {
  const name = state.current?.name ?? "";
  if (state.reconnecting && state.switchingTo !== undefined) {
    const to = state.sessions?.get(state.switchingTo)?.name ?? state.switchingTo;
    return `lost the hub; reconnecting… (then switching to ${to})`;
  }
  if (state.reconnecting) return "lost the hub; reconnecting… (what you type is sent when it is back)";
  if (state.prompt?.mode === "close") return `close ${name}: kill the session? (y/n)`;
  if (state.prompt?.mode === "rename")
    return `rename ${name} to: ${state.prompt.text}▏ (Enter ok, Esc cancel)`;
  if (state.prefixPending)
    return `${prefix}: n new  ] next  [ prev  s picker  h history  w close  r rename  d detach  ? help`;
  return undefined;
}
