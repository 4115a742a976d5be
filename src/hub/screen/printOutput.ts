/**
 * Prints queued output into a session's emulator, synchronously, leaving out what would scroll
 * off unseen (`scrolledOff.ts`). Synchronous, so the emulator's state is known between two
 * ranges (a skip is only taken where it is exact) and every later message sees the output parsed.
 */
import { findSkips, linesToKeep, skipSafe } from "./scrolledOff.js";

/** The emulator as this module uses it: `writeSync` is xterm's internal synchronous write. */
export interface PrintTarget {
  rows: number;
  _core: { writeSync(data: Uint8Array): void };
}

export interface Printed {
  /** Output bytes handled (printed or skipped). */
  bytes: number;
  /** Of those, the bytes left out as scrolled off. */
  skipped: number;
}

/**
 * Prints `chunks` (in order) into `terminal`, skipping what `scrollback` cannot keep; with
 * `look` false it prints every byte without looking for plain runs (output that had none).
 */
export function printOutput(
  terminal: PrintTarget,
  chunks: readonly Uint8Array[],
  scrollback: number,
  look = true,
): Printed {
  let bytes = 0;
  for (const chunk of chunks) bytes += chunk.length;
  const skips = look ? findSkips(chunks, linesToKeep(terminal.rows, scrollback)) : [];
  let position = 0;
  let skipped = 0;
  for (const skip of skips) {
    printRange(terminal, chunks, position, skip.from);
    position = skip.from;
    if (!skipSafe(terminal)) continue;
    skipped += skip.to - skip.from;
    position = skip.to;
  }
  printRange(terminal, chunks, position, bytes);
  return { bytes, skipped };
}

/** Prints bytes [from, to) of the concatenated chunks, as views (no copy). */
function printRange(terminal: PrintTarget, chunks: readonly Uint8Array[], from: number, to: number): void {
  let start = 0;
  for (const chunk of chunks) {
    const end = start + chunk.length;
    if (end > from && start < to) {
      terminal._core.writeSync(chunk.subarray(Math.max(from, start) - start, Math.min(to, end) - start));
    }
    start = end;
    if (start >= to) break;
  }
}
