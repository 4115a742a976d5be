/**
 * Where a terminal's output can be cut into events: not inside a UTF-8 character or an escape
 * sequence. A PTY read ends wherever the kernel's buffer did, so an event could end with half of
 * `漢` or with `ESC [ 3` and the next one start with the rest. Everything that starts from an
 * event boundary then breaks: a snapshot is the screen after its event, with the emulator's
 * parser holding the unfinished bytes it cannot store, so a client attaching from it (and the
 * hub's screen rebuilt from it after a restart) printed `�` for the character, or `1m` as text
 * and no colour for the sequence. The unfinished tail is held back for the next event instead;
 * it draws nothing until it is finished, so holding it changes nothing on any screen.
 */

/**
 * How far back an unfinished sequence is looked for. Titles, colours and cursor moves are far
 * shorter; a longer one (an image in a DCS string) is cut as it comes, as it always was.
 */
export const UNFINISHED_LOOKBACK_BYTES = 4096;

import { cutCharacter } from "../core/utf8Cut.js";

const ESC = 0x1b;
const BEL = 0x07;
const CAN = 0x18;
const SUB = 0x1a;

type State = "ground" | "escape" | "intermediate" | "csi" | "string" | "string-escape";

/** The state after `byte`, as xterm's parser moves (only whether a sequence is open matters). */
function next(state: State, byte: number): State {
  if (byte === CAN || byte === SUB) return "ground";
  switch (state) {
    case "ground":
      return byte === ESC ? "escape" : "ground";
    case "escape":
    case "intermediate":
      if (byte === ESC) return "escape";
      if (state === "escape" && byte === 0x5b) return "csi"; // [
      // ] P X ^ _: OSC, DCS, SOS, PM, APC, strings ended by ST (or BEL).
      if (
        state === "escape" &&
        (byte === 0x5d || byte === 0x50 || byte === 0x58 || byte === 0x5e || byte === 0x5f)
      )
        return "string";
      if (byte >= 0x20 && byte <= 0x2f) return "intermediate";
      // A final byte ends it; C0 controls are executed inside it.
      return byte >= 0x30 && byte <= 0x7e ? "ground" : byte < 0x20 ? state : "ground";
    case "csi":
      if (byte === ESC) return "escape";
      if (byte >= 0x40 && byte <= 0x7e) return "ground";
      return byte < 0x40 ? "csi" : "ground";
    case "string":
      if (byte === BEL) return "ground";
      return byte === ESC ? "string-escape" : "string";
    case "string-escape":
      // ST; anything else ends the string and starts a new sequence with this byte.
      if (byte === 0x5c) return "ground";
      return next("escape", byte);
  }
}

/**
 * How many bytes at the end of `bytes` are an unfinished UTF-8 character or escape sequence.
 *
 * Called on every read of output, so it looks at as little as it can: only the bytes from the
 * last ESC on (found by `Buffer.lastIndexOf`), and with none, only the last three. The
 * bytes before the last ESC cannot change the answer but in one case: an ESC that is the last
 * byte may be the first half of a string's ST, and the string's start is then further back.
 */
export function unfinishedTail(bytes: Uint8Array): number {
  const from = Math.max(0, bytes.length - UNFINISHED_LOOKBACK_BYTES);
  // A Buffer's search runs in native code, several times faster than a Uint8Array's.
  const window = Buffer.from(bytes.buffer, bytes.byteOffset + from, bytes.length - from);
  const last = window.lastIndexOf(ESC);
  if (last < 0) return cutCharacter(bytes, from);
  if (last === window.length - 1) return scannedTail(bytes);
  // From an ESC that is not the last byte the state is the same whether a string was open
  // before it or not (ST, or a new sequence), and the sequence, if open, starts there.
  let state: State = "escape";
  for (let i = from + last + 1; i < bytes.length; i++) {
    state = next(state, bytes[i] as number);
    // No ESC follows: once back on the ground it stays there.
    if (state === "ground") return cutCharacter(bytes, from);
  }
  return bytes.length - (from + last);
}

/** `unfinishedTail` by a walk through every byte of the look-back; what the fast path must agree with. */
export function scannedTail(bytes: Uint8Array): number {
  const from = Math.max(0, bytes.length - UNFINISHED_LOOKBACK_BYTES);
  let state: State = "ground";
  let start = bytes.length;
  for (let i = from; i < bytes.length; i++) {
    const byte = bytes[i] as number;
    const was = state;
    state = next(state, byte);
    // A sequence starts at an ESC, unless the ESC is inside a string (its ST, perhaps); one
    // that is not ST ends the string and starts the next sequence.
    if (byte === ESC && was !== "string") start = i;
    else if (was === "string-escape" && byte !== 0x5c) start = i - 1;
  }
  return state !== "ground" ? bytes.length - start : cutCharacter(bytes, from);
}
