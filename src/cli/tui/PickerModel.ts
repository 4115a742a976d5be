/**
 * The picker's state and what each key does, without any I/O: the session list (live), the
 * filter, the selection and the prompt in progress (rename, kill confirmation). `handle()`
 * returns the action for the runtime (`Picker.ts`) to carry out.
 *
 * Keys: typing filters; with an empty filter `n` new, `r` rename, `x` kill, `q` quit act as
 * commands (start the filter with `/` to search for those letters); Ctrl-N, Ctrl-R, Ctrl-X
 * always act. `p` switches the current project (every project, then each in turn): sessions
 * are grouped by project, and with a current project only its sessions are listed. Up/Down (Tab, Ctrl-P) move, Enter attaches, Esc clears the filter or quits,
 * `?` shows the keys.
 */
import { fuzzyFilter } from "../../core/fuzzy.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { Key } from "./keys.js";

export type PickerAction =
  | { type: "none" }
  | { type: "quit" }
  | { type: "attach"; session: SessionInfo }
  | { type: "create" }
  | { type: "rename"; session: SessionInfo; name: string }
  | { type: "kill"; session: SessionInfo }
  | { type: "project"; project: string };

export type PickerPrompt =
  | { mode: "rename"; session: SessionInfo; text: string }
  | { mode: "kill"; session: SessionInfo }
  | { mode: "help" };

const NONE: PickerAction = { type: "none" };

export class PickerModel {
  sessions: SessionInfo[] = [];
  filter = "";
  /** True once `/` was pressed: letters go to the filter even when it is empty. */
  filtering = false;
  prompt: PickerPrompt | undefined;
  /** The current project ("" for every session). */
  project = "";
  /** A line of feedback (errors of the last action). */
  message = "";
  private selectedId: string | undefined;

  /**
   * Sessions shown, in order: the filter's best matches first, else grouped by project (named
   * ones by name, then those in none) and the most recently active first in each group. With
   * a current project, only its sessions.
   */
  visible(): SessionInfo[] {
    const ordered = this.inProject().sort(
      (a, b) => projectOrder(a, b) || b.lastActivityAt - a.lastActivityAt,
    );
    return fuzzyFilter(ordered, this.filter, (s) => `${s.name} ${s.host} ${s.kind} ${s.project ?? ""}`);
  }

  /**
   * The project the list is narrowed to: the current one while some session belongs to it,
   * else "" (every session).
   */
  shownProject(): string {
    return this.projects().includes(this.project) ? this.project : "";
  }

  /** The sessions of the shown project (every session without one), before the filter. */
  inProject(): SessionInfo[] {
    const project = this.shownProject();
    return this.sessions.filter((s) => !project || s.project === project);
  }

  /** Every project some session belongs to, by name. */
  projects(): string[] {
    return [...new Set(this.sessions.flatMap((s) => (s.project ? [s.project] : [])))].sort();
  }

  selected(): SessionInfo | undefined {
    const visible = this.visible();
    return visible.find((s) => s.id === this.selectedId) ?? visible[0];
  }

  selectedIndex(): number {
    const selected = this.selected();
    return selected ? this.visible().indexOf(selected) : -1;
  }

  setSessions(sessions: readonly SessionInfo[]): void {
    this.sessions = [...sessions];
  }

  /** A session created or changed (live `session` message). */
  upsert(session: SessionInfo): void {
    const at = this.sessions.findIndex((s) => s.id === session.id);
    if (at >= 0) this.sessions[at] = session;
    else this.sessions.push(session);
  }

  remove(id: string): void {
    this.sessions = this.sessions.filter((s) => s.id !== id);
  }

  select(id: string): void {
    this.selectedId = id;
  }

  handle(key: Key): PickerAction {
    if (this.prompt) return this.handlePrompt(this.prompt, key);
    this.message = "";
    const commandKeys = this.filter.length === 0 && !this.filtering;
    switch (key.name) {
      case "enter": {
        const session = this.selected();
        return session ? { type: "attach", session } : NONE;
      }
      case "up":
        this.move(-1);
        return NONE;
      case "down":
      case "tab":
        this.move(1);
        return NONE;
      case "pageup":
      case "home":
        this.move(-Infinity);
        return NONE;
      case "pagedown":
      case "end":
        this.move(Infinity);
        return NONE;
      case "escape":
        if (this.filter.length > 0 || this.filtering) {
          this.filter = "";
          this.filtering = false;
          return NONE;
        }
        return { type: "quit" };
      case "backspace":
        if (this.filter.length === 0) this.filtering = false;
        this.filter = [...this.filter].slice(0, -1).join("");
        return NONE;
      case "ctrl":
        return this.command(key.char);
      case "char":
        if (commandKeys) {
          if (key.char === "/") {
            this.filtering = true;
            return NONE;
          }
          if ("nrxq?".includes(key.char)) return this.command(key.char);
          if (key.char === "p") return this.nextProject();
        }
        this.filter += key.char;
        return NONE;
      default:
        return NONE;
    }
  }

  private command(char: string): PickerAction {
    const session = this.selected();
    switch (char) {
      case "n":
        return { type: "create" };
      case "r":
        if (session) this.prompt = { mode: "rename", session, text: session.name };
        return NONE;
      case "x":
        if (session) this.prompt = { mode: "kill", session };
        return NONE;
      case "p":
        this.move(-1);
        return NONE;
      case "u":
        this.filter = "";
        return NONE;
      case "?":
        this.prompt = { mode: "help" };
        return NONE;
      case "q":
      case "c":
      case "d":
        return { type: "quit" };
      default:
        return NONE;
    }
  }

  /** Every project, then each in turn, then every project again. */
  private nextProject(): PickerAction {
    const cycle = ["", ...this.projects()];
    const at = cycle.indexOf(this.project);
    this.project = cycle[(at + 1) % cycle.length] as string;
    this.message = this.project ? `project ${this.project}` : "every project";
    return { type: "project", project: this.project };
  }

  private handlePrompt(prompt: PickerPrompt, key: Key): PickerAction {
    switch (prompt.mode) {
      case "help":
        this.prompt = undefined;
        return NONE;
      case "kill":
        this.prompt = undefined;
        return key.name === "char" && key.char.toLowerCase() === "y"
          ? { type: "kill", session: prompt.session }
          : NONE;
      case "rename":
        if (key.name === "escape" || (key.name === "ctrl" && key.char === "c")) {
          this.prompt = undefined;
        } else if (key.name === "enter") {
          this.prompt = undefined;
          const name = prompt.text.trim();
          if (name.length > 0 && name !== prompt.session.name)
            return { type: "rename", session: prompt.session, name };
        } else if (key.name === "backspace") {
          prompt.text = [...prompt.text].slice(0, -1).join("");
        } else if (key.name === "ctrl" && key.char === "u") {
          prompt.text = "";
        } else if (key.name === "char") {
          prompt.text += key.char;
        }
        return NONE;
      default: {
        const unreachable: never = prompt;
        return unreachable;
      }
    }
  }

  private move(delta: number): void {
    const visible = this.visible();
    if (visible.length === 0) return;
    const index = Math.max(0, this.selectedIndex());
    const next = Math.min(visible.length - 1, Math.max(0, index + delta));
    this.selectedId = (visible[next] as SessionInfo).id;
  }
}

/** Named projects by name, sessions in no project last. */
function projectOrder(a: SessionInfo, b: SessionInfo): number {
  const x = a.project ?? null;
  const y = b.project ?? null;
  if (x === y) return 0;
  if (x === null) return 1;
  if (y === null) return -1;
  return x.localeCompare(y);
}
