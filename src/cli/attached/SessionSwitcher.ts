/**
 * Moving between sessions in the attached client: to a named one, the next or previous running
 * one, a new one, or through the picker. A switch that fails is told on the status row and
 * leaves the screen as it was. When the shown session is closed (`w`), the next running one is
 * shown, or the picker when none is left.
 *
 * A switch the hub's going away interrupts (or one asked while it is away) is put off, not
 * failed: it is carried out once the connection is back (`resumed`), as the user asked.
 */
import { isLiveStatus } from "../../core/liveness.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import { noOutput } from "../kinds/registry.js";
import type { RawTerminal } from "../RawTerminal.js";
import type { SeenState } from "../seenState.js";
import { Picker } from "../tui/Picker.js";
import type { Connection } from "./Connection.js";
import type { SessionView } from "./SessionView.js";
import type { StatusRow } from "./StatusRow.js";
import { SESSION_MODES_OFF } from "./sessionModes.js";

export interface SessionSwitcherOptions {
  terminal: RawTerminal;
  seen: SeenState;
  connection: Connection;
  view: SessionView;
  bar: StatusRow;
  /** Creates a session with the user's defaults at the given size. */
  create(socket: ClientSocket, size: { cols: number; rows: number }): Promise<SessionInfo>;
  /** Whether the client is leaving. */
  finished(): boolean;
  /** The picker was left without a choice, and no session to go back to: the client ends. */
  quit(): void;
}

export class SessionSwitcher {
  private shownPicker: Picker | undefined;
  /** The session (name or id) of a switch put off until the hub is back. */
  private putOff: string | undefined;
  /** A session picked although it had ended: its end brings the picker back, not the client's end. */
  private pickedEnded: string | undefined;

  constructor(private readonly options: SessionSwitcherOptions) {}

  /** The picker, while it has the screen (it gets the keys typed). */
  get picker(): Picker | undefined {
    return this.shownPicker;
  }

  /** The session (name or id) a switch put off until the hub is back is for. */
  get waitingFor(): string | undefined {
    return this.putOff;
  }

  /** Puts the picker away without a choice; whether it was up. */
  closePicker(): boolean {
    const picker = this.shownPicker;
    picker?.close();
    this.shownPicker = undefined;
    return picker !== undefined;
  }

  /**
   * Shows `ref` (name or id) in place of the current session, from its current screen; put off
   * until the hub is back when the connection is lost before its attach is answered.
   */
  async switchTo(ref: string): Promise<void> {
    const socket = this.options.connection.socket;
    if (!socket || this.options.finished()) return;
    const known = this.options.connection.sessions?.all().find((s) => s.id === ref || s.name === ref);
    const instead = known ? noOutput(known) : undefined;
    if (instead !== undefined) throw new Error(instead);
    this.putOff = undefined;
    try {
      await this.options.view.switchTo(socket, ref);
    } catch (err) {
      if (socket.isOpen) throw err;
      // The connection is gone (it dropped under the switch, or had before it): the reconnect
      // resumes only what was shown, so the switch waits for it rather than failing.
      this.putOff = ref;
      this.options.bar.draw();
    }
  }

  /** The connection is back: a switch put off meanwhile is carried out. Whether there was one. */
  resumed(): boolean {
    const ref = this.putOff;
    this.putOff = undefined;
    if (ref === undefined) return false;
    void this.switchOrReport(ref);
    return true;
  }

  /** `switchTo`, telling a failure on the status row. */
  async switchOrReport(ref: string): Promise<void> {
    try {
      await this.switchTo(ref);
    } catch (err) {
      this.options.bar.flash(err instanceof Error ? err.message : String(err));
    }
  }

  /** `]` and `[`: the next or previous running session it can show, oldest first, going round. */
  step(by: 1 | -1): void {
    const current = this.options.view.current;
    const running = this.runningSessions();
    if (running.length === 0) return;
    const at = running.findIndex((s) => s.id === current?.id);
    const next = running[(at + by + running.length) % running.length] as SessionInfo;
    if (next.id !== current?.id) void this.switchOrReport(next.id);
  }

  /** A new session with the user's defaults, shown. */
  async createAndSwitch(): Promise<void> {
    try {
      const socket = this.options.connection.socket;
      const size = this.options.bar.sessionSize() ?? { cols: 80, rows: 24 };
      if (socket) await this.switchTo((await this.options.create(socket, size)).id);
    } catch (err) {
      this.options.bar.flash(err instanceof Error ? err.message : String(err));
    }
  }

  /**
   * The shown session `id` ended: whether that is only the end of a session the user picked from
   * the picker after it had ended, so the picker comes back (with `hint`) and the client stays.
   */
  endedAfterPick(id: string, hint: string): boolean {
    const picked = this.pickedEnded === id;
    this.pickedEnded = undefined;
    if (!picked) return false;
    this.openPicker(hint);
    return this.shownPicker !== undefined;
  }

  /** The session `id`, closed with `w`, has ended: the next running one is shown. */
  closed(id: string): void {
    const next = this.runningSessions().find((s) => s.id !== id);
    if (next) void this.switchOrReport(next.id);
    else this.openPicker();
  }

  /** The picker in place of the session (with `hint` on its bottom row). */
  openPicker(hint?: string): void {
    const { terminal, connection, view, bar } = this.options;
    const { socket, sessions, hub } = connection;
    if (!socket || !sessions || this.shownPicker || connection.reconnecting) return;
    const previous = view.current;
    view.leave(socket);
    // The session's modes off: the picker reads keys, not mouse reports or application keys.
    terminal.write(bar.released() + SESSION_MODES_OFF);
    const picker = new Picker({
      socket,
      hub,
      terminal,
      sessions,
      seen: this.options.seen,
      size: () => terminal.size() ?? { cols: 80, rows: 24 },
      create: () => this.options.create(socket, bar.sessionSize() ?? { cols: 80, rows: 24 }),
      ...(previous ? { current: previous.id } : {}),
      ...(hint ? { hint } : {}),
    });
    this.shownPicker = picker;
    void picker.result.then((result) => {
      if (this.shownPicker !== picker) return;
      this.shownPicker = undefined;
      if (result.type === "attach") {
        // Shown all the same (its last screen, a moment), then back to the picker when its end comes.
        this.pickedEnded = isLiveStatus(result.session.status) ? undefined : result.session.id;
        return this.switchOrReport(result.session.id);
      }
      if (previous && connection.sessions?.get(previous.id)) return this.switchOrReport(previous.id);
      this.options.quit();
    });
  }

  /** Running sessions a terminal can show (not an editor's). */
  private runningSessions(): SessionInfo[] {
    return (this.options.connection.sessions?.all() ?? []).filter(
      (s) => isLiveStatus(s.status) && noOutput(s) === undefined,
    );
  }
}
