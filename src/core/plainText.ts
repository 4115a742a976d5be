/**
 * Terminal output as plain text: escape sequences and control characters removed. Shared by
 * session previews and the search index, so what a preview shows is what a search finds.
 */

// CSI, OSC (BEL or ST terminated), other two-character escapes, then remaining C0 controls.
// (Control characters in this regex are the point: biome.json allows them in this file.)
const ESCAPES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b-\x1f\x7f]/g;

// The same, but carriage returns and newlines stay (lines are cut at them afterwards).
const ESCAPES_KEEPING_LINES =
  /\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]|[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]/g;

/** `text` without escape sequences and control characters (tab and newline stay). */
export function stripEscapes(text: string): string {
  return text.replace(ESCAPES, "");
}

/**
 * Complete lines of raw output as a terminal would leave them: split on newlines, and of a
 * line rewritten with carriage returns (progress bars, prompts redrawn) the last non-empty
 * part. Empty lines are dropped.
 */
export function plainLines(raw: string): string[] {
  const lines: string[] = [];
  // One pass over the whole text: a regex per line costs several times more on a flood.
  for (const line of raw.replace(ESCAPES_KEEPING_LINES, "").split("\n")) {
    const parts = line.includes("\r") ? line.split("\r") : [line];
    for (let i = parts.length - 1; i >= 0; i--) {
      const visible = (parts[i] as string).trimEnd();
      if (visible.length > 0 && visible.trim().length > 0) {
        lines.push(visible);
        break;
      }
    }
  }
  return lines;
}
