/**
 * The character sets a terminal has designated (G0–G3, `ESC ( 0` and the like) and which one is
 * in use (SI, SO, LS2, LS3), as the sequences that set them again: a program drawing boxes in
 * DEC special graphics writes `q` for `─`, and a re-attached terminal not told so prints `qqqq`;
 * one in a national replacement set (NRCS: `ESC ( K` German) writes `[` for `Ä`.
 *
 * xterm keeps its tables internal and holds them by reference, one per set: they are told apart
 * by that reference, learnt once from a terminal told to designate each set xterm knows.
 */
import { headless } from "./xterm.js";

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

/**
 * The finals of the sets xterm designates: DEC special graphics, UK, and the national
 * replacement sets (Dutch, Finnish, French, French Canadian, German, Italian, Norwegian/Danish,
 * Spanish, Swedish, Swiss); an alias (`C` and `5` Finnish) is the same table.
 */
const FINALS = "0A4C5RQKYE6ZH7=";

let finals: Map<Charset, string> | undefined;

/** xterm's table of each set it knows, by reference, to the final that designates it. */
function knownSets(): Map<Charset, string> {
  if (finals) return finals;
  finals = new Map();
  const terminal = new headless.Terminal({ cols: 2, rows: 1, logLevel: "off" });
  const core = (
    terminal as unknown as {
      _core?: { writeSync?: (data: string) => void; _charsetService?: { _charsets?: unknown } };
    }
  )._core;
  for (const final of FINALS) {
    core?.writeSync?.(`\x1b(${final}`);
    const designated = core?._charsetService?._charsets;
    const table = Array.isArray(designated) ? (designated[0] as Charset | undefined) : undefined;
    if (table && !finals.has(table)) finals.set(table, final);
  }
  terminal.dispose();
  return finals;
}

/** The final character that designates `charset` (`0` DEC special graphics, `K` German); undefined for ASCII or unknown. */
export function charsetFinal(charset: Charset | undefined): string | undefined {
  return charset === undefined ? undefined : knownSets().get(charset);
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
