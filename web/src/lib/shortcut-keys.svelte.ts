/**
 * The page's keyboard shortcuts, seen before xterm or any field gets the key: the prefix key
 * makes the next key a command (twice types it), the direct shortcuts run their action, and
 * inside a dialog only the palette's own key does something (it closes the palette).
 */
import { keySettings } from "./keymap.svelte.js";
import { isModifierOnly, keyName, prefixBytes } from "./keynames.js";
import { type Overlays, overlayShown } from "./overlays.svelte.js";
import { type Action, keyContext, type Matched, matchPrefixed, matchShortcut } from "./shortcuts.js";

export class ShortcutKeys {
  /** The prefix key was pressed: the next key is a command, not input. */
  prefixPending = $state(false);
  readonly #run: (action: Action, index?: number) => void;
  readonly #overlays: Overlays;
  readonly #type: (data: string) => void;

  /**
   * `run` carries out a matched action (`index`: the n of Alt+n); `type` sends the prefix key's
   * bytes to the active session when it is pressed twice.
   */
  constructor(options: {
    run(action: Action, index?: number): void;
    type(data: string): void;
    overlays: Overlays;
  }) {
    this.#run = options.run;
    this.#type = options.type;
    this.#overlays = options.overlays;
  }

  /** For the window's capturing `keydown`. */
  readonly keydown = (event: KeyboardEvent): void => {
    if (isModifierOnly(event)) return;
    if (this.prefixPending) {
      this.#afterPrefix(event);
      return;
    }
    if (keySettings.prefix !== "none" && keyName(event) === keySettings.prefix && !overlayShown()) {
      event.preventDefault();
      event.stopPropagation();
      this.prefixPending = true;
      return;
    }
    const context = { ...keyContext(event.target), altInTerminal: keySettings.altInTerminal };
    const { inTerminal } = context;
    const match: Matched | null = matchShortcut(event, context);
    if (!match) return;
    if (overlayShown()) {
      // Inside a dialog only Ctrl+K does something (closes the palette it opened).
      if (match.action === "palette" && this.#overlays.palette) {
        event.preventDefault();
        this.#overlays.closed("palette");
      }
      return;
    }
    if (match.action === "paste" && inTerminal) {
      // Let the browser's own paste reach xterm; just keep xterm from sending Ctrl+V.
      event.stopPropagation();
      return;
    }
    event.preventDefault();
    event.stopPropagation();
    this.#run(match.action, match.index);
  };

  /** The key after the prefix: a command; the prefix again types it; anything else cancels. */
  #afterPrefix(event: KeyboardEvent): void {
    event.preventDefault();
    event.stopPropagation();
    this.prefixPending = false;
    if (keyName(event) === keySettings.prefix) {
      const bytes = prefixBytes(keySettings.prefix);
      if (bytes) this.#type(bytes);
      return;
    }
    const match = matchPrefixed(event);
    if (match) this.#run(match.action, match.index);
  }
}
