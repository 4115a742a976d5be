/**
 * Keys typed into a session being revived, kept until the hub has started it again. Bounded: a
 * revive can take long (its host away, a slow start) while a person pastes or leans on a key,
 * and a page must not grow without end. Past the bound a text is dropped whole (half an escape
 * sequence is worse than none), and so is everything typed after it until the revive is
 * answered: what reaches the session is what was typed, cut short, never with a hole in it.
 *
 * An interrupt (Ctrl-C, Ctrl-Z, Ctrl-\) held past a few seconds is not sent once the session
 * runs, nor what was typed after it (`staleInterrupt.ts`, as for keys that waited for the hub):
 * pressed while the old process was being replaced, it would stop whatever the new one runs by
 * the time the revive is answered.
 */
import {
  staleInterruptAt,
  staleInterruptNotice,
  type WaitingInput,
} from "../../../src/core/staleInterrupt.js";

/** Characters kept per session being revived: a paste's worth (the same as kept while offline). */
export const MAX_HELD_CHARS = 64 * 1024;

/** What goes to the revived session, and what to say about what does not. */
export interface HeldRelease {
  /** The keys to send, in the order typed, with when each was typed. */
  inputs: readonly WaitingInput[];
  /** Why the rest was dropped (a stale interrupt), when some was. */
  notice?: string;
}

export class HeldKeys {
  readonly #inputs: WaitingInput[] = [];
  #chars = 0;
  #droppedChars = 0;
  readonly #maxChars: number;

  constructor(maxChars = MAX_HELD_CHARS) {
    this.#maxChars = maxChars;
  }

  /** Keeps `text`, typed at `typedAt` (ms since the epoch), to send once the session runs; false when it was dropped. */
  add(text: string, typedAt: number): boolean {
    if (this.#droppedChars > 0 || this.#chars + text.length > this.#maxChars) {
      this.#droppedChars += text.length;
      return false;
    }
    this.#inputs.push({ data: text, typedAt });
    this.#chars += text.length;
    return true;
  }

  /** Something typed was dropped: from then on everything is, until the revive is answered. */
  get full(): boolean {
    return this.#droppedChars > 0;
  }

  /** Characters typed and dropped. */
  get droppedChars(): number {
    return this.#droppedChars;
  }

  /** What to send now (`now`, ms since the epoch) that the session runs again. */
  release(now: number): HeldRelease {
    const at = staleInterruptAt(this.#inputs, now);
    const stale = this.#inputs[at];
    if (!stale) return { inputs: this.#inputs };
    return {
      inputs: this.#inputs.slice(0, at),
      notice: staleInterruptNotice(stale, now, "while the session was starting again"),
    };
  }
}
