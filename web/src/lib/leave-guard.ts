/**
 * Keys the browser keeps: Ctrl+W deletes a word in a shell and moves between windows in vim,
 * but the browser closes the tab with it before the page sees the key (as Ctrl+T and Ctrl+N
 * open a tab or a window instead of transposing or going down). A page cannot take these keys
 * back; it can only ask before the tab goes. So while a terminal has focus, where the key was
 * surely meant for the program, leaving the page asks first. Elsewhere (the list, a dialog,
 * the sign-in form) it leaves at once, as usual: the sessions keep running either way.
 */
import { keyContext } from "./shortcuts.js";

/** For the window's `beforeunload`: asks to stay when the key was likely meant for a terminal. */
export function askBeforeLeavingTerminal(event: BeforeUnloadEvent): void {
  if (!keyContext(document.activeElement).inTerminal) return;
  event.preventDefault();
}
