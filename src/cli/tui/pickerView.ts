/**
 * Draws the picker: a header with the filter, one row per session (unread marker, name, kind,
 * host, status, age, last activity), the selected session's last output lines, and the keys.
 * Returns the whole frame as one string of escape sequences; pure, so it is unit-tested.
 */
import { formatAge } from "../../core/duration.js";
import type { SessionInfo } from "../../protocol/session.js";
import { statusText, telling } from "../sessionTable.js";
import type { PickerModel } from "./PickerModel.js";
import {
  BOLD,
  CLEAR_LINE,
  DIM,
  fitWidth,
  INVERSE,
  moveTo,
  RESET_ATTRIBUTES,
  ruleWithTitle,
} from "./screen.js";

export interface PickerViewOptions {
  cols: number;
  rows: number;
  now: number;
  isUnread(session: SessionInfo): boolean;
  /** Last output lines of the selected session (plain text), oldest first. */
  preview: readonly string[];
  /** Shown in the header: where the picker was opened from. */
  title?: string;
}

export const UNREAD_MARK = "●";
const KEYS_LINE =
  "Enter attach  ↑↓ move  type to filter  n new  r rename  x kill  p project  / filter  ? help  q quit";
export const PICKER_HELP = [
  "dispatch picker",
  "",
  "  type         filter the sessions (fuzzy: `bo` finds brisk-otter)",
  "  ↑ ↓ Tab      move the selection",
  "  Enter        attach to the selected session",
  "  n / Ctrl-N   new session (then attach)",
  "  r / Ctrl-R   rename the selected session",
  "  x / Ctrl-X   kill the selected session (asks first)",
  "  p            switch project: every project, then each in turn",
  "  /            start a filter (then n r x q are letters too)",
  "  Esc          clear the filter; with none, quit",
  "  q / Ctrl-C   quit",
  "",
  `  ${UNREAD_MARK}            printed or exited since you last looked`,
  "",
  "  (n r x q act while the filter is empty; Ctrl-N Ctrl-R Ctrl-X always)",
  "",
  "press any key",
];

/** What the status column says: idle shell, the running command, or how it ended. */
export function activityText(session: SessionInfo): string {
  if (session.status !== "running") return statusText(session);
  const base = session.foreground ? `running ${session.foreground}` : "idle";
  const agent = statusText(session);
  return agent === "running" ? base : `${base} (${agent.replace(/^running, /, "")})`;
}

export function renderPicker(model: PickerModel, options: PickerViewOptions): string {
  const { cols, rows } = options;
  const lines: string[] = [];
  const visible = model.visible();
  const selected = model.selected();

  // Narrowed to a project, the count is the project's: the others are not on the list.
  const shown = model.inProject().length;
  const count = `${shown} session${shown === 1 ? "" : "s"}`;
  const filter = model.filter.length > 0 || model.filtering ? `  filter: ${model.filter}▏` : "";
  const shownProject = model.shownProject();
  const project = shownProject ? ` · project ${shownProject}` : "";
  lines.push(
    INVERSE +
      fitWidth(` ${options.title ?? "dispatch"}${project} · ${count}${filter}`, cols) +
      RESET_ATTRIBUTES,
  );

  if (model.prompt?.mode === "help") {
    for (const line of PICKER_HELP) lines.push(fitWidth(line, cols));
    return frame(lines, rows);
  }

  const previewHeight = Math.max(0, Math.min(10, Math.floor((rows - 4) / 3)));
  const listHeight = Math.max(1, rows - 4 - (previewHeight > 0 ? previewHeight + 1 : 0));
  // As `dispatch ls`: HOST and PROJECT only when they tell the sessions apart (all of them, so
  // that the columns stay put while a filter narrows the list).
  const { withHost, withProject } = telling(model.sessions);
  const table = visible.map((s) => [
    s.name,
    ...(withProject ? [s.project ?? "-"] : []),
    s.kind,
    ...(withHost ? [s.host] : []),
    activityText(s),
    formatAge(options.now - s.createdAt),
    `${formatAge(options.now - s.lastActivityAt)} ago`,
  ]);
  const headers = [
    "NAME",
    ...(withProject ? ["PROJECT"] : []),
    "KIND",
    ...(withHost ? ["HOST"] : []),
    "STATUS",
    "AGE",
    "ACTIVE",
  ];
  const widths = headers.map((h, i) =>
    Math.min(40, Math.max(h.length, ...table.map((r) => (r[i] as string).length))),
  );
  const row = (cells: readonly string[]) =>
    cells.map((cell, i) => fitWidth(cell, widths[i] as number)).join("  ");
  lines.push(DIM + fitWidth(`   ${row(headers)}`, cols) + RESET_ATTRIBUTES);

  const selectedIndex = selected ? visible.indexOf(selected) : -1;
  const first = Math.max(0, Math.min(selectedIndex - listHeight + 1, visible.length - listHeight));
  for (let i = 0; i < listHeight; i++) {
    const index = first + i;
    const session = visible[index];
    if (!session) {
      lines.push(i === 0 && visible.length === 0 ? fitWidth(emptyText(model), cols) : "");
      continue;
    }
    const mark = options.isUnread(session) ? UNREAD_MARK : " ";
    const text = fitWidth(` ${mark} ${row(table[index] as string[])}`, cols);
    lines.push(index === selectedIndex ? INVERSE + text + RESET_ATTRIBUTES : text);
  }

  if (previewHeight > 0) {
    lines.push(DIM + ruleWithTitle(selected ? selected.name : "preview", cols) + RESET_ATTRIBUTES);
    const preview = options.preview.slice(-previewHeight);
    for (let i = 0; i < previewHeight; i++) {
      const line = preview[i - (previewHeight - preview.length)];
      lines.push(line === undefined ? "" : fitWidth(line, cols));
    }
  }

  lines.push(BOLD + fitWidth(bottomLine(model), cols) + RESET_ATTRIBUTES);
  return frame(lines, rows);
}

function emptyText(model: PickerModel): string {
  if (model.sessions.length === 0) return "   no sessions yet: press n to start one";
  return `   nothing matches '${model.filter}' (Esc clears the filter)`;
}

function bottomLine(model: PickerModel): string {
  const prompt = model.prompt;
  if (prompt?.mode === "rename")
    return `rename ${prompt.session.name} to: ${prompt.text}▏ (Enter ok, Esc cancel)`;
  if (prompt?.mode === "kill") return `kill ${prompt.session.name}? (y/n)`;
  if (model.message) return model.message;
  return KEYS_LINE;
}

/** Exactly `rows` lines: the last line pinned to the bottom row, each row cleared first. */
function frame(lines: string[], rows: number): string {
  const bottom = lines.length > 2 ? lines.pop() : undefined;
  let out = "";
  for (let r = 1; r <= rows; r++) {
    const text = r === rows && bottom !== undefined ? bottom : (lines[r - 1] ?? "");
    out += `${moveTo(r)}${CLEAR_LINE}${text}`;
  }
  return out;
}
