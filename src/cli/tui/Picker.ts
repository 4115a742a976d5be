/**
 * The full-screen session picker (alternate screen): live list, fuzzy filter, preview of the
 * selected session's last output, and new / rename / kill. The keys are in `PickerModel`;
 * this module draws, fetches previews and carries out actions. `result` settles with the
 * session to attach to, or `quit`.
 */
import { ScreenRowsBody } from "../../protocol/api.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { LiveSessions } from "../attached/LiveSessions.js";
import type { ClientSocket } from "../ClientSocket.js";
import type { HubClient } from "../HubClient.js";
import { readProjectContext, writeProjectContext } from "../hostContext.js";
import { noOutput } from "../kinds/registry.js";
import type { RawTerminal } from "../RawTerminal.js";
import type { SeenState } from "../seenState.js";
import { parseKeys } from "./keys.js";
import { type PickerAction, PickerModel } from "./PickerModel.js";
import { renderPicker } from "./pickerView.js";
import { previewLines } from "./previewLines.js";
import { ENTER_ALT_SCREEN, HIDE_CURSOR, LEAVE_ALT_SCREEN, SHOW_CURSOR } from "./screen.js";

export type PickerResult = { type: "attach"; session: SessionInfo } | { type: "quit" };

/** Events fetched for a preview: enough for a screenful of recent lines. */
const PREVIEW_EVENTS = 200;
const PREVIEW_LINES = 20;
/** Ages and "ago" columns tick while the picker is open. */
const CLOCK_INTERVAL_MS = 5_000;

export interface PickerOptions {
  socket: ClientSocket;
  hub: HubClient;
  terminal: RawTerminal;
  sessions: LiveSessions;
  seen: SeenState;
  size(): { cols: number; rows: number };
  /** Creates a session with the user's defaults. */
  create(): Promise<SessionInfo>;
  /** Session to select first (the one attached before). */
  current?: string;
  /** A line shown on the bottom row until the first key (the first run's welcome). */
  hint?: string;
}

export class Picker {
  readonly result: Promise<PickerResult>;
  private finish!: (result: PickerResult) => void;
  private readonly model = new PickerModel();
  private readonly previews = new Map<string, { seq: number; lines: string[] }>();
  private readonly fetching = new Set<string>();
  private readonly unsubscribe: () => void;
  private readonly clock: NodeJS.Timeout;
  private closed = false;
  private busy = false;

  constructor(private readonly options: PickerOptions) {
    this.result = new Promise((resolve) => {
      this.finish = resolve;
    });
    this.model.setSessions(options.sessions.all());
    this.model.project = readProjectContext(options.hub.paths) ?? "";
    if (options.current) this.model.select(options.current);
    if (options.hint) this.model.message = options.hint;
    this.unsubscribe = options.sessions.onChange(() => {
      this.model.setSessions(options.sessions.all());
      this.draw();
    });
    this.clock = setInterval(() => this.draw(), CLOCK_INTERVAL_MS);
    this.clock.unref();
    options.terminal.write(ENTER_ALT_SCREEN + HIDE_CURSOR);
    this.draw();
  }

  feed(data: string): void {
    if (this.closed || this.busy) return;
    for (const key of parseKeys(data)) {
      const action = this.model.handle(key);
      if (action.type !== "none") {
        void this.act(action);
        break;
      }
    }
    this.draw();
  }

  draw(): void {
    if (this.closed) return;
    const selected = this.model.selected();
    const preview = selected ? this.preview(selected) : [];
    this.options.terminal.write(
      renderPicker(this.model, {
        ...this.options.size(),
        now: Date.now(),
        isUnread: (s) => this.options.seen.isUnread(s),
        preview,
      }),
    );
  }

  /** Leaves the alternate screen; the caller draws what comes next. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.clock);
    this.unsubscribe();
    this.options.terminal.write(SHOW_CURSOR + LEAVE_ALT_SCREEN);
  }

  private async act(action: PickerAction): Promise<void> {
    this.busy = true;
    try {
      switch (action.type) {
        case "none":
          return;
        case "quit":
          this.done({ type: "quit" });
          return;
        case "attach": {
          // A session no terminal can show (an editor): said here, the picker stays.
          const instead = noOutput(action.session);
          if (instead !== undefined) this.model.message = instead;
          else this.done({ type: "attach", session: action.session });
          return;
        }
        case "create":
          this.done({ type: "attach", session: await this.options.create() });
          return;
        case "rename": {
          const renamed = await this.options.socket.rename(action.session.id, action.name);
          this.model.upsert(renamed);
          this.model.message = `renamed ${action.session.name} to ${renamed.name}`;
          return;
        }
        case "project":
          writeProjectContext(this.options.hub.paths, action.project || undefined);
          return;
        case "kill": {
          const killed = await this.options.socket.kill(action.session.id);
          this.model.message = `${killed.name}: ${killed.status}`;
          return;
        }
        default: {
          const unreachable: never = action;
          return unreachable;
        }
      }
    } catch (err) {
      this.model.message = `error: ${err instanceof Error ? err.message : String(err)}`;
    } finally {
      this.busy = false;
      this.draw();
    }
  }

  private done(result: PickerResult): void {
    this.close();
    this.finish(result);
  }

  /** Cached last lines of `session`; refetched when it has new events. */
  private preview(session: SessionInfo): string[] {
    const cached = this.previews.get(session.id);
    if ((!cached || cached.seq < session.lastSeq) && !this.fetching.has(session.id)) {
      this.fetching.add(session.id);
      this.previewLines(session)
        .then((lines) => {
          this.previews.set(session.id, { seq: session.lastSeq, lines });
        })
        .catch(() => {
          // No events (compacted, or the hub is busy): the one-line preview stands in.
          this.previews.set(session.id, { seq: session.lastSeq, lines: [session.preview] });
        })
        .finally(() => {
          this.fetching.delete(session.id);
          this.draw();
        });
    }
    return cached?.lines ?? (session.preview ? [session.preview] : []);
  }

  /**
   * The last lines as the hub's screen of the session shows them (a partial redraw, vim's ruler,
   * reads right only there); without one (another kind, a hub before screen rows), the recent
   * output read again.
   */
  private async previewLines(session: SessionInfo): Promise<string[]> {
    const { hub } = this.options;
    const path = `/api/sessions/${encodeURIComponent(session.id)}/screen/rows?count=${PREVIEW_LINES}`;
    const screen = await hub.call("GET", path).then(
      (body) => ScreenRowsBody.safeParse(body).data?.rows ?? null,
      // An older hub has no such route: the output stands in, as it did there.
      () => null,
    );
    if (screen) return previewLines(screen.join("\n"), PREVIEW_LINES);
    const { events } = await hub.events(
      session.id,
      Math.max(0, session.lastSeq - PREVIEW_EVENTS),
      PREVIEW_EVENTS,
    );
    const text = events
      .filter((e) => e.type === "output" && typeof e.data === "string")
      .map((e) => Buffer.from(e.data as string, "base64").toString("utf8"))
      .join("");
    return previewLines(text, PREVIEW_LINES);
  }
}
