/**
 * The last lines of a session's output as plain text, for the picker's preview: bytes from
 * the latest events, escape sequences dropped, carriage returns honoured (a progress bar shows
 * its final state), blank lines at the end skipped.
 */
import { plainText } from "./screen.js";

export function previewLines(output: string, count: number): string[] {
  const lines = output
    .replace(/\x1b\[[0-?]*[ -/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-_]/g, "")
    .split("\n")
    .map((line) => {
      const parts = line.replace(/\r+$/, "").split("\r");
      return plainText(parts[parts.length - 1] ?? "").trimEnd();
    });
  while (lines.length > 0 && lines[lines.length - 1] === "") lines.pop();
  return lines.slice(-count);
}
