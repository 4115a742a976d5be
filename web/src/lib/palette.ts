/** Entries of the command palette: sessions to switch to, and actions with their shortcuts. */
import type { SessionInfo } from "../../../src/protocol/session.js";
import { type Action, SHORTCUTS } from "./shortcuts.js";
import { statusLook } from "./status.js";

export interface PaletteEntry {
  id: string;
  label: string;
  /** Group shown beside the label. */
  group: "Session" | "Project" | "Action";
  /** Extra text shown dimmed (status, shortcut). */
  hint?: string;
  run(): void;
}

export interface PaletteSource {
  sessions: readonly SessionInfo[];
  active: SessionInfo | undefined;
  switchTo(id: string): void;
  /** Projects to switch to, and how ("" for all sessions). */
  projects: readonly string[];
  currentProject: string;
  useProject(project: string): void;
  run(action: Action): void;
  /** Whether this page may create sessions (not a share link or a viewer). */
  canCreate: boolean;
  reconnect(): void;
  logout(): void;
}

const shortcutFor = (action: Action) => SHORTCUTS.find((s) => s.action === action)?.keys;

export function paletteEntries(source: PaletteSource): PaletteEntry[] {
  const { active } = source;
  const sessions: PaletteEntry[] = source.sessions.map((s) => ({
    id: `session:${s.id}`,
    label: s.name,
    group: "Session",
    hint: `${s.project ? `${s.project} · ` : ""}${statusLook(s.status).label} · ${s.foreground ?? "idle"}`,
    run: () => source.switchTo(s.id),
  }));
  const projects: PaletteEntry[] = [
    ...source.projects
      .filter((p) => p !== source.currentProject)
      .map((p) => ({
        id: `project:${p}`,
        label: `Switch to project ${p}`,
        group: "Project" as const,
        run: () => source.useProject(p),
      })),
    ...(source.currentProject
      ? [
          {
            id: "project:",
            label: "Show every project",
            group: "Project" as const,
            run: () => source.useProject(""),
          },
        ]
      : []),
  ];
  const action = (id: Action, label: string, when = true): PaletteEntry[] =>
    when
      ? [{ id: `action:${id}`, label, group: "Action", hint: shortcutFor(id), run: () => source.run(id) }]
      : [];
  return [
    ...sessions,
    ...projects,
    ...action("new", "New session", source.canCreate),
    ...action("next", "Next session"),
    ...action("previous", "Previous session"),
    ...action("rename", `Rename ${active?.name ?? ""}`, !!active),
    ...action("kill", `Kill ${active?.name ?? ""}`, !!active),
    ...action("close", `Close view of ${active?.name ?? ""}`, !!active),
    ...action("search", "Find in terminal", !!active),
    ...action("search-all", "Search all output (every session)"),
    ...action("copy", "Copy selection", !!active),
    ...action("paste", "Paste", !!active),
    ...action("split", "Split: show another session beside", !!active),
    ...action("unsplit", "Back to one view", !!active),
    ...action("sessions", "Filter sessions"),
    ...action("help", "Keyboard shortcuts"),
    { id: "action:reconnect", label: "Reconnect now", group: "Action", run: source.reconnect },
    { id: "action:logout", label: "Log out", group: "Action", run: source.logout },
  ];
}
