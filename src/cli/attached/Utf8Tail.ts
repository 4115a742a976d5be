/**
 * The incomplete UTF-8 character an output frame may end with, held back until the next frame
 * completes it (the host cuts frames wherever a read ended). Written at once, it sat in the
 * terminal and was glued to whatever came next: a snapshot's new screen after a switch began
 * with `�`. Dropped when a screen replaces what is shown, as the web drops its decoder's bytes.
 */
import { cutCharacter } from "../../core/utf8Cut.js";

const NONE = new Uint8Array(0);

export class Utf8Tail {
  private held: Uint8Array = NONE;

  /** `data` after the bytes held from before, less an incomplete character at its end (held now). */
  take(data: Uint8Array): Uint8Array {
    const whole = this.held.length > 0 ? Buffer.concat([this.held, data]) : data;
    const cut = cutCharacter(whole);
    this.held = cut > 0 ? whole.slice(whole.length - cut) : NONE;
    return cut > 0 ? whole.subarray(0, whole.length - cut) : whole;
  }

  /** The held bytes belong to a screen being replaced: gone. */
  drop(): void {
    this.held = NONE;
  }
}
