/**
 * The last lines of a session's output as plain text, for the picker's preview: read as the
 * search index reads them (`plainLines`: escapes dropped, a progress bar in its final state,
 * text a full-screen app placed with cursor moves spaced and on its own lines), blank lines at
 * the end skipped.
 */
import { plainLines } from "../../core/plainText.js";

export function previewLines(output: string, count: number): string[] {
  const lines = plainLines(output);
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-count);
}
