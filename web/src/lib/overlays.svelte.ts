/**
 * What is shown over the page: at most one dialog, plus the command palette, the search over
 * every session and the shortcut help. Each closes only itself, and the last one to close gives
 * the keyboard back to the active session's view.
 */
import type { HostView } from "../../../src/protocol/hosts.js";

export type Dialog =
  | { type: "create"; host?: string }
  | { type: "rename"; id: string }
  | { type: "kill"; id: string }
  | { type: "share"; id: string }
  | { type: "cleanup"; host: HostView }
  | { type: "revoke"; host: HostView }
  | { type: "audit" };

export type Overlay = "dialog" | "palette" | "help" | "search-all";

/**
 * Whether a modal is showing. Asks the DOM: a native dialog closes (Escape) a task before its
 * `close` event reaches our state, and a shortcut typed in between must already work.
 */
export function overlayShown(): boolean {
  return document.querySelector("dialog[open]") !== null;
}

export class Overlays {
  dialog = $state<Dialog | null>(null);
  palette = $state(false);
  help = $state(false);
  searchAll = $state(false);
  readonly #refocus: () => void;

  /** `refocus` puts the keyboard back on the page (the active view) once nothing is shown. */
  constructor(options: { refocus(): void }) {
    this.#refocus = options.refocus;
  }

  /** Each overlay closes only itself: a late `close` event must not take a newer one with it. */
  closed(which: Overlay): void {
    if (which === "dialog") this.dialog = null;
    else if (which === "palette") this.palette = false;
    else if (which === "search-all") this.searchAll = false;
    else this.help = false;
    if (!overlayShown()) this.#refocus();
  }
}
