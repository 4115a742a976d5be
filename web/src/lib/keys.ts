/** Byte sequences for the phone key bar, and the sticky Ctrl modifier. */

export type BarKey = "Escape" | "Tab" | "ArrowUp" | "ArrowDown" | "ArrowLeft" | "ArrowRight";

const ARROW_FINAL: Record<string, string> = { ArrowUp: "A", ArrowDown: "B", ArrowRight: "C", ArrowLeft: "D" };

/** `applicationCursor`: full-screen programs (vim, less) switch arrows to `ESC O x`. */
export function keySequence(key: BarKey, applicationCursor: boolean): string {
  if (key === "Escape") return "\x1b";
  if (key === "Tab") return "\t";
  return (applicationCursor ? "\x1bO" : "\x1b[") + ARROW_FINAL[key];
}

/** Applies Ctrl to typed text the way a terminal does: Ctrl+C is 0x03, Ctrl+[ is ESC. */
export function applyCtrl(data: string): string {
  if (data.length !== 1) return data;
  const upper = data.toUpperCase();
  const code = upper.charCodeAt(0);
  if (code >= 0x40 && code <= 0x5f) return String.fromCharCode(code - 0x40);
  if (data === " " || data === "2") return "\x00";
  if (data === "?") return "\x7f";
  return data;
}
