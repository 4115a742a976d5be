/**
 * The interactive terminal client: `dispatch` (picker first) and `dispatch attach NAME`. One
 * WebSocket, one raw terminal, one attached session at a time shown under an optional status
 * bar; the prefix key switches, creates, renames, closes sessions and opens the picker.
 *
 * The client wires its parts and routes what is typed: the connection, kept through hub
 * restarts (`Connection`), the session shown (`SessionView`), moving between sessions and the
 * picker (`SessionSwitcher`), the status bar (`StatusRow`), the keys (`PrefixKeys`, then
 * `SessionKeys` for those meant for the session), and what it asks or shows in place of the
 * session (`Prompts`).
 *
 * Every way out (detach, quit, session exit, hub gone, signal, exception) ends in `teardown`:
 * output is cut off first, then the terminal is restored (status row released, modes reset,
 * cooked mode), so no late frame can switch a mode back on after the reset.
 */
import { StringDecoder } from "node:string_decoder";
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import type { DetachKey } from "../detachKey.js";
import type { HubClient } from "../HubClient.js";
import { RawTerminal } from "../RawTerminal.js";
import { SeenState } from "../seenState.js";
import type { TerminalSettings } from "../terminalSettings.js";
import { CLEAR_SCREEN } from "../tui/screen.js";
import { Connection } from "./Connection.js";
import { PrefixKeys } from "./PrefixKeys.js";
import { isOwnScreen, Prompts } from "./Prompts.js";
import { runPrefixCommand } from "./prefixCommands.js";
import { type ExitSignal, onProcessExits } from "./processExits.js";
import { endText } from "./reportEnd.js";
import { SessionKeys } from "./SessionKeys.js";
import { SessionRoles } from "./SessionRoles.js";
import { SessionSwitcher } from "./SessionSwitcher.js";
import { type SessionEnd, SessionView } from "./SessionView.js";
import { StatusRow } from "./StatusRow.js";
import { MORE_MODES_OFF } from "./sessionModes.js";

/** What the picker says on its bottom row when it is back after the hub went away. */
const RECONNECTED = "reconnected to the hub";

export type ClientEnd =
  | { reason: "detached"; name: string }
  | { reason: "quit" }
  | { reason: "ended"; end: SessionEnd }
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

export class TerminalClient {
  private readonly terminal = new RawTerminal();
  private readonly seen: SeenState;
  private readonly decoder = new StringDecoder("utf8");
  private readonly cleanups: Array<() => void> = [];
  private readonly bar: StatusRow;
  private readonly view: SessionView;
  private readonly connection: Connection;
  private readonly switcher: SessionSwitcher;
  private readonly keys: PrefixKeys;
  private readonly prompts: Prompts;
  private readonly roles: SessionRoles;
  private readonly sessionKeys: SessionKeys;
  /** The picker was up when the hub went away: it is opened again once the hub is back. */
  private pickerLost = false;
  private finished = false;
  private settle!: (end: ClientEnd) => void;
  private readonly ended = new Promise<ClientEnd>((resolve) => {
    this.settle = resolve;
  });

  constructor(private readonly options: TerminalClientOptions) {
    const { terminal } = this;
    const seen = SeenState.inHome(options.hub.paths.home);
    this.seen = seen;
    const keys = { detachKey: options.detachKey, prefixKey: options.prefixKey };
    const finished = () => this.finished;
    this.roles = new SessionRoles((session, readOnly) => this.sessionKeys.roleChanged(session, readOnly));
    this.bar = new StatusRow({
      terminal,
      enabled: options.statusBar,
      prefixKey: options.prefixKey,
      seen,
      state: () => ({
        picker: this.switcher.picker !== undefined,
        finished: this.finished,
        prompt: this.prompts.shown,
        current: this.view.current,
        sessions: this.connection.sessions,
        reconnecting: this.connection.reconnecting,
        switchingTo: this.switcher.waitingFor,
        prefixPending: this.keys.pending,
        readOnly: this.view.current !== undefined && this.roles.readOnly(this.view.current.id),
      }),
    });
    this.view = new SessionView({
      terminal,
      seen,
      bar: this.bar,
      covered: () => this.switcher.picker !== undefined || isOwnScreen(this.prompts.shown),
      events: {
        ended: (end) => {
          if (!this.switcher.endedAfterPick(end.session.id, endText(end))) this.end({ reason: "ended", end });
        },
        closed: (id) => this.switcher.closed(id),
      },
    });
    this.connection = new Connection({
      hub: options.hub,
      relocate: options.relocate,
      view: this.view,
      roles: this.roles,
      finished,
      ended: this.ended,
      events: {
        lost: () => this.hubLost(),
        resumed: () => {
          this.bar.setUp();
          // A switch asked for while the hub was away wins over the picker it replaced.
          if (!this.switcher.resumed() && this.pickerLost) this.switcher.openPicker(RECONNECTED);
        },
        sessionsChanged: () => this.bar.draw(),
        gone: () => this.end({ reason: "closed" }),
        refused: (err) => this.bar.flash(`not sent: ${err.message}`),
        // A notice, not a flash: the next output would wipe a flash before it is read.
        holding: (message) => {
          const current = this.view.current;
          if (current) this.bar.notice(current.id, message);
          else this.bar.flash(message);
        },
      },
    });
    const { view, connection, roles, bar } = this;
    this.sessionKeys = new SessionKeys({ connection, view, roles, bar });
    this.switcher = new SessionSwitcher({
      terminal,
      seen,
      connection: this.connection,
      view: this.view,
      bar: this.bar,
      create: options.create,
      finished,
      quit: () => this.end({ reason: "quit" }),
    });
    this.keys = new PrefixKeys(keys, {
      send: (bytes) => this.send(bytes),
      run: (command) => runPrefixCommand(command, this.commandParts()),
      pendingChanged: () => this.bar.draw(),
    });
    this.prompts = new Prompts({
      terminal,
      keys,
      actions: {
        close: (session) => {
          this.view.expectClose(session.id);
          this.connection.socket?.kill(session.id).catch((err) => this.bar.flash(String(err.message ?? err)));
        },
        rename: (session, name) => {
          this.connection.socket
            ?.rename(session.id, name)
            .then((renamed) => {
              // A switch may have come first: the view takes it only if that session is still shown.
              this.view.renamed(renamed);
              this.bar.draw();
            })
            .catch((err) => this.bar.flash(String(err.message ?? err)));
        },
        back: (session) => void this.switcher.switchOrReport(session.id),
        redrawBar: () => this.bar.draw(),
      },
    });
  }

  /** Runs until the user leaves; throws (terminal untouched) when the first attach fails. */
  async run(start: ClientStart): Promise<ClientEnd> {
    // Before anything else: a signal at any moment from here on leaves through teardown.
    const stopListening = onProcessExits({
      signal: (signal) => this.end({ reason: "signal", signal }),
      exception: (err) => {
        this.teardownTerminal();
        console.error(`dispatch: ${err instanceof Error ? err.message : String(err)}`);
        process.exit(1);
      },
      exit: () => this.terminal.restore(),
    });
    this.cleanups.push(stopListening);
    try {
      const first = await Promise.race([this.start(start).then(() => undefined), this.ended]);
      return first ?? (await this.ended);
    } finally {
      await this.teardown();
    }
  }

  /**
   * Connects, then takes the keyboard and the terminal. The client may end at any await here (a
   * signal, Ctrl-C before the terminal is raw), and teardown has then run: nothing more is set
   * up, since a keyboard listener added after it would keep reading stdin after the end.
   */
  private async start(start: ClientStart): Promise<void> {
    const sessions = await this.connection.open();
    if (!sessions || this.finished) return;
    this.seen.prune(sessions.all());
    const onInput = (chunk: Buffer) => this.input(chunk);
    const onResize = () => this.resized();
    process.stdin.on("data", onInput);
    process.stdout.on("resize", onResize);
    this.cleanups.push(() => {
      process.stdin.off("data", onInput);
      process.stdout.off("resize", onResize);
    });
    this.terminal.enter();
    if (!("attach" in start)) return this.switcher.openPicker(start.hint);
    this.sessionKeys.holdEarly();
    try {
      await this.switcher.switchTo(start.attach);
    } finally {
      this.sessionKeys.releaseEarly(this.finished);
    }
  }

  /** The hub went away: the picker and any prompt are put away, and the bar says so. */
  private hubLost(): void {
    this.pickerLost = this.switcher.closePicker();
    if (this.pickerLost) this.terminal.write(CLEAR_SCREEN);
    this.prompts.dismiss();
    this.keys.cancel();
    if (this.options.statusBar) this.bar.setUp();
    else this.terminal.write("\r\n[dispatch: lost the hub; reconnecting…]\r\n");
  }

  private end(end: ClientEnd): void {
    if (this.finished) return;
    this.finished = true;
    this.settle(end);
  }

  private async teardown(): Promise<void> {
    this.finished = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.view.stop();
    this.teardownTerminal();
    await this.connection.close(this.view.current);
  }

  /** Output cut off, then the terminal restored; synchronous, so exception paths can use it. */
  private teardownTerminal(): void {
    this.switcher.closePicker();
    this.terminal.restore(this.bar.released() + MORE_MODES_OFF);
  }

  /**
   * What is typed goes to the picker, a prompt, or the session's keys. A chunk may hold a
   * command and keys after it (a paste, fast typing): those go wherever the command left the
   * keys (a prompt it opened, the session again), so none is lost, the detach key included.
   */
  private input(chunk: Buffer): void {
    this.bar.noticeSeen();
    let keys: Buffer | undefined = chunk;
    while (keys && !this.finished) {
      const picker = this.switcher.picker;
      if (picker) return picker.feed(this.decoder.write(keys));
      if (this.prompts.shown) return this.prompts.feed(this.decoder.write(keys), this.view.current);
      keys = this.keys.read(keys);
    }
  }

  private send(bytes: Uint8Array): void {
    // The chunk read from stdin, or part of it: decoded as it is, not copied first.
    const keys = this.decoder.write(bytes);
    if (keys.length > 0) this.sessionKeys.send(keys);
  }

  private commandParts() {
    const { view, switcher, prompts, connection } = this;
    return {
      view,
      switcher,
      prompts,
      connection,
      detach: (name: string) => this.end({ reason: "detached", name }),
    };
  }

  private resized(): void {
    const picker = this.switcher.picker;
    if (picker) return picker.draw();
    this.prompts.resized();
    const size = this.bar.sessionSize();
    const current = this.view.current;
    if (size && current) this.connection.socket?.resize(current.id, size.cols, size.rows);
    this.bar.setUp();
  }
}
