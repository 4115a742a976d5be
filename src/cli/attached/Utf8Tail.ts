/**
 * The incomplete UTF-8 character an output frame may end with, held back until the next frame
 * completes it (the host cuts frames wherever a read ended). Written at once, it sat in the
 * terminal and was glued to whatever came next: a snapshot's new screen after a switch began
 * with `�`. Dropped when a screen replaces what is shown, as the web drops its decoder's bytes.
 */
const NONE = new Uint8Array(0);

export class Utf8Tail {
  private held: Uint8Array = NONE;

  /** `data` after the bytes held from before, less an incomplete character at its end (held now). */
  take(data: Uint8Array): Uint8Array {
    const whole = this.held.length > 0 ? Buffer.concat([this.held, data]) : data;
    const cut = incompleteTail(whole);
    this.held = cut > 0 ? whole.slice(whole.length - cut) : NONE;
    return cut > 0 ? whole.subarray(0, whole.length - cut) : whole;
  }

  /** The held bytes belong to a screen being replaced: gone. */
  drop(): void {
    this.held = NONE;
  }
}

/** How many bytes at the end of `data` start a UTF-8 character it does not finish (0 to 3). */
export function incompleteTail(data: Uint8Array): number {
  for (let back = 1; back <= Math.min(3, data.length); back++) {
    const byte = data[data.length - back] as number;
    if (byte < 0x80) return 0;
    if (byte < 0xc0) continue; // a continuation byte: look further back for its lead
    const length = byte >= 0xf0 ? 4 : byte >= 0xe0 ? 3 : 2;
    return back < length ? back : 0;
  }
  return 0;
}
