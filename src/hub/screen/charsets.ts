/**
 * The character sets a terminal has designated (G0–G3, `ESC ( 0` and the like) and which one is
 * in use (SI, SO, LS2, LS3), as the sequences that set them again: a program drawing boxes in
 * DEC special graphics writes `q` for `─`, and a re-attached terminal not told so prints `qqqq`.
 *
 * xterm keeps the tables internal and holds them by reference; they are told apart by what they
 * map. DEC special graphics and the UK set are recognised; the national replacement sets no
 * program of today sends are read as ASCII.
 */

/** A table of xterm's: characters to what they are drawn as. */
export type Charset = Readonly<Record<string, string>>;

export interface CharsetState {
  /** G0–G3 (undefined: ASCII). */
  designated: readonly (Charset | undefined)[];
  /** Which of G0–G3 is invoked (shifted in). */
  level: number;
}

/** Designations for G0, G1, G2, G3. */
const DESIGNATE = ["(", ")", "*", "+"];
/** Invoking G0 (SI), G1 (SO), G2 (LS2), G3 (LS3). */
const INVOKE = ["\x0f", "\x0e", "\x1bn", "\x1bo"];

/** The final character that designates `charset` (`0` DEC special graphics, `A` UK); undefined for ASCII or unknown. */
export function charsetFinal(charset: Charset | undefined): string | undefined {
  if (charset === undefined) return undefined;
  if (charset.q === "\u2500" && charset.x === "\u2502") return "0";
  if (charset["#"] === "\u00a3" && Object.keys(charset).length === 1) return "A";
  return undefined;
}

/** Sequences that designate and invoke the sets of `state`; empty when it is as after a reset. */
export function charsetSequences(state: CharsetState): string {
  let out = "";
  for (let g = 0; g < DESIGNATE.length; g++) {
    const final = charsetFinal(state.designated[g]);
    if (final !== undefined) out += `\x1b${DESIGNATE[g]}${final}`;
  }
  if (state.level > 0 && state.level < INVOKE.length) out += INVOKE[state.level];
  return out;
}
