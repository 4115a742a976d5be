/** Entries of the command palette: sessions to switch to, and actions. */

export interface PaletteEntry {
  id: string;
  label: string;
  /** Group shown beside the label: "Session" or "Action". */
  group: "Session" | "Action";
  /** Extra text shown dimmed (status, shortcut). */
  hint?: string;
  run(): void;
}
