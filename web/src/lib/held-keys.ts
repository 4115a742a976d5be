/**
 * Keys typed into a session being revived, kept until the hub has started it again. Bounded: a
 * revive can take long (its host away, a slow start) while a person pastes or leans on a key,
 * and a page must not grow without end. Past the bound a text is dropped whole (half an escape
 * sequence is worse than none), and so is everything typed after it until the revive is
 * answered: what reaches the session is what was typed, cut short, never with a hole in it.
 */

/** Characters kept per session being revived: a paste's worth (the same as kept while offline). */
export const MAX_HELD_CHARS = 64 * 1024;

export class HeldKeys {
  readonly #texts: string[] = [];
  #chars = 0;
  #droppedChars = 0;
  readonly #maxChars: number;

  constructor(maxChars = MAX_HELD_CHARS) {
    this.#maxChars = maxChars;
  }

  /** Keeps `text` to send once the session runs; false when it was dropped. */
  add(text: string): boolean {
    if (this.#droppedChars > 0 || this.#chars + text.length > this.#maxChars) {
      this.#droppedChars += text.length;
      return false;
    }
    this.#texts.push(text);
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

  /** What was kept, in the order typed. */
  get texts(): readonly string[] {
    return this.#texts;
  }
}
