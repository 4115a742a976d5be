/**
 * What the attached client asks or shows in place of the session after a prefix command: a
 * close to confirm or a new name on the bar's row, or the keys' help or the history view on
 * the alternate screen, where the session's output waits until it is left.
 */
import type { SessionInfo } from "../../protocol/session.js";
import type { DetachKey } from "../detachKey.js";
import type { HubClient } from "../HubClient.js";
import type { RawTerminal } from "../RawTerminal.js";
import { parseKeys } from "../tui/keys.js";
import { CLEAR_SCREEN, ENTER_ALT_SCREEN, LEAVE_ALT_SCREEN } from "../tui/screen.js";
import { HistoryView } from "./HistoryView.js";
import { helpScreen, prefixHelp } from "./prefixHelp.js";
import { SESSION_MODES_OFF } from "./sessionModes.js";

export type Prompt =
  | { mode: "rename"; text: string }
  | { mode: "close" }
  | { mode: "help" }
  | { mode: "history"; view: HistoryView };

/** Events per page read backwards for the history view: a few thousand lines of output. */
const HISTORY_PAGE_EVENTS = 500;

/** The help or history view is up, on the alternate screen: the session's output waits. */
export function isOwnScreen(prompt: Prompt | undefined): boolean {
  return prompt?.mode === "help" || prompt?.mode === "history";
}

/** What the answers do: the client carries it out. */
export interface PromptActions {
  /** `y` to the close: the session is killed. */
  close(session: SessionInfo): void;
  rename(session: SessionInfo, name: string): void;
  /** Help or history was left: the session's screen again. */
  back(session: SessionInfo): void;
  /** The prompt changed: the bar shows it. */
  redrawBar(): void;
}

export interface PromptsOptions {
  terminal: RawTerminal;
  keys: { detachKey: DetachKey | undefined; prefixKey: DetachKey | undefined };
  actions: PromptActions;
}

export class Prompts {
  private prompt: Prompt | undefined;

  constructor(private readonly options: PromptsOptions) {}

  /** What is asked or shown now, if anything (then it gets the keys typed). */
  get shown(): Prompt | undefined {
    return this.prompt;
  }

  /** Asks to confirm a close or for a new name on the bar, or shows the keys' help. */
  ask(mode: "close" | "rename" | "help"): void {
    this.prompt = mode === "close" ? { mode } : mode === "rename" ? { mode, text: "" } : { mode };
    if (mode === "help") this.showHelp();
    this.options.actions.redrawBar();
  }

  /** The pager over older output (`HistoryView`), back from the seq this client has shown. */
  openHistory(from: { session: SessionInfo; shownSeq: number; hub: HubClient }): void {
    const { terminal } = this.options;
    const { session, shownSeq, hub } = from;
    const view = new HistoryView({
      name: session.name,
      before: shownSeq + 1,
      fetchOlder: (before) => hub.history(session.id, before, HISTORY_PAGE_EVENTS),
      size: () => terminal.size() ?? { cols: 80, rows: 24 },
      write: (text) => terminal.write(text),
    });
    this.prompt = { mode: "history", view };
    // The session's mouse reports and application keys off: the pager reads plain keys.
    terminal.write(SESSION_MODES_OFF + ENTER_ALT_SCREEN);
    void view.open();
  }

  /** Keys typed while a prompt is up, for the session `current` (if any). */
  feed(data: string, current: SessionInfo | undefined): void {
    const prompt = this.prompt;
    if (!prompt) return;
    const { terminal, actions } = this.options;
    if (prompt.mode === "history") {
      if (!prompt.view.feed(data)) return;
      this.prompt = undefined;
      terminal.write(LEAVE_ALT_SCREEN);
      if (current) actions.back(current);
      return;
    }
    const keys = parseKeys(data);
    if (prompt.mode === "help" || !current) {
      this.prompt = undefined;
      terminal.write(LEAVE_ALT_SCREEN);
      if (current) actions.back(current);
      return;
    }
    for (const key of keys) {
      if (key.name === "escape" || (key.name === "ctrl" && key.char === "c")) {
        this.prompt = undefined;
        break;
      }
      if (prompt.mode === "close") {
        this.prompt = undefined;
        if (key.name === "char" && key.char.toLowerCase() === "y") actions.close(current);
        break;
      }
      if (key.name === "enter") {
        this.prompt = undefined;
        const name = prompt.text.trim();
        if (name && name !== current.name) actions.rename(current, name);
        break;
      }
      if (key.name === "backspace") prompt.text = [...prompt.text].slice(0, -1).join("");
      else if (key.name === "char") prompt.text += key.char;
    }
    actions.redrawBar();
  }

  /** Puts away whatever is up without acting on it (the hub went away). */
  dismiss(): void {
    if (this.prompt?.mode === "help" || this.prompt?.mode === "history") {
      if (this.prompt.mode === "history") this.prompt.view.close();
      this.options.terminal.write(LEAVE_ALT_SCREEN);
    }
    this.prompt = undefined;
  }

  /** The terminal's size changed: the help or the history view is drawn for it. */
  resized(): void {
    if (this.prompt?.mode === "history") this.prompt.view.redraw();
    if (this.prompt?.mode === "help") this.drawHelp();
  }

  private showHelp(): void {
    this.options.terminal.write(`${SESSION_MODES_OFF}${ENTER_ALT_SCREEN}`);
    this.drawHelp();
  }

  private drawHelp(): void {
    const { terminal, keys } = this.options;
    const lines = prefixHelp(keys.prefixKey ? keys.prefixKey.label : "(no prefix)", keys.detachKey?.label);
    terminal.write(
      `${CLEAR_SCREEN}${helpScreen(lines, terminal.size() ?? { cols: 80, rows: 24 }).join("\r\n")}`,
    );
  }
}
