/**
 * The system clipboard and the active terminal: the page's copy and paste commands and the
 * phone key bar's Paste. A browser may refuse access; the user is then told the other way.
 */
import type { OpenViews } from "./open-views.js";
import { toasts } from "./toasts.svelte.js";

/** Copies the active terminal's selection (nothing selected: nothing happens). */
export async function copySelection(views: OpenViews): Promise<void> {
  const text = views.activeTerminal?.terminal.getSelection() ?? "";
  if (!text) return;
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    toasts.push("The browser refused clipboard access; use the context menu to copy.");
  }
}

/**
 * Pastes the clipboard into the terminal active once it is read; `otherWay` says how else to
 * paste where this device's browser refuses ("use the context menu to paste").
 */
export async function pasteClipboard(views: OpenViews, otherWay: string): Promise<void> {
  try {
    const text = await navigator.clipboard.readText();
    if (text) views.activeTerminal?.paste(text);
  } catch {
    toasts.push(`The browser refused clipboard access; ${otherWay}.`);
  }
}
