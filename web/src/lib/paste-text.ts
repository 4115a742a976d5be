/**
 * What a paste may carry into a program that asked for bracketed paste. The program (bash,
 * zsh, vim) takes everything between the markers `ESC [200~` and `ESC [201~` as text, not
 * keys: a pasted newline waits for Enter. A paste that holds the end marker itself (copied
 * from a page that hid it in the text) ends the bracket early, and what follows runs as typed
 * keys: `echo safe ESC[201~ NEWLINE rm -rf ~` runs the second line unasked. So, as VTE, kitty
 * and foot do, control characters other than tab and line ends are taken out of such a paste.
 */

// C0 controls but tab (09), LF (0A) and CR (0D); DEL; C1 controls (0x9b is a one-byte CSI).
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;

/** `text` as it may be pasted: without control characters while `bracketed` is on. */
export function pasteText(text: string, bracketed: boolean): string {
  return bracketed ? text.replace(CONTROLS, "") : text;
}
