/**
 * Output a screen never shows: in a long run of plain text (printable ASCII, tab, CR, LF) all
 * but the last few thousand lines scroll off the top of the scrollback before a snapshot could
 * show them, so the emulator need not print them. Emulating a flood was the screen worker's
 * largest cost (docs/BENCHMARKS.md, "Where the bytes go"); `cat` of a log, `yes`, `find` and
 * most build output are long plain runs.
 *
 * A skip is exact (the screen and its scrollback end the same as if every byte were printed)
 * when, at its start, the emulator is in its ground state with the full screen as scroll region
 * and no insert mode (`skipSafe`), and the run goes on after it for `keepLines` line feeds,
 * enough to scroll everything before them out of the screen and the scrollback. Every line
 * kept is then a fresh blank line (filled with the current background, which plain text does
 * not change), printed with the kept text alone, from column 0 after the skipped `\r\n`. The
 * skipped text changes nothing else: no mode, no attribute, no tab stop, no title.
 */

import { isAscii } from "node:buffer";

/** A byte range of the queued output that may be left unprinted. */
export interface Skip {
  /** Just after a `\r\n` inside the run; the emulator must be in a skip-safe state here. */
  from: number;
  /** Just after a later `\r\n`, followed by at least `keepLines` line feeds of the same run. */
  to: number;
}

/** Line feeds a skip must leave after it: twice the screen (the first lines may land on old ones) plus the scrollback. */
export function linesToKeep(rows: number, scrollback: number): number {
  return 2 * rows + scrollback + 1;
}

const CR = 0x0d;
const LF = 0x0a;

/** Each byte's class: not plain (0), plain (1), a line feed (2), a carriage return (3). */
const NOT_PLAIN = 0;
const PLAIN = 1;
const FEED = 2;
const RETURN = 3;
const CLASS = new Uint8Array(256);
for (let byte = 0x20; byte <= 0x7e; byte++) CLASS[byte] = PLAIN;
CLASS[0x09] = PLAIN;
CLASS[LF] = FEED;
CLASS[CR] = RETURN;

/**
 * The skips in `data` (one per plain run long enough), in order. `data` is the concatenation
 * of `chunks`; offsets are into it. One pass forward over the data, and per run one pass back
 * over the lines kept.
 */
export function findSkips(chunks: readonly Uint8Array[], keepLines: number): Skip[] {
  const skips: Skip[] = [];
  // Forward: the runs, and in each the end of its first `\r\n` and its line feeds' count.
  let offset = 0;
  let runStart = -1;
  let firstBreak = -1;
  let feeds = 0;
  let previous = NOT_PLAIN;
  // A run is counted from its first CR or LF (the plain bytes before it cannot hold a skip).
  const runs: { end: number; firstBreak: number; feeds: number }[] = [];
  for (const chunk of chunks) {
    const length = chunk.length;
    if (length >= FAST_CHUNK_BYTES && allPlain(chunk)) {
      // The whole chunk is plain (native scans): the run goes on through it. Its line feeds
      // are not counted; the pass back finds whether enough follow a skip.
      if (runStart < 0) {
        runStart = offset;
        firstBreak = -1;
      }
      if (firstBreak < 0) {
        const at = firstCrLf(chunk, previous);
        if (at >= 0) firstBreak = offset + at;
      }
      feeds = Number.POSITIVE_INFINITY;
      previous = CLASS[chunk[length - 1] as number] as number;
      offset += length;
      continue;
    }
    for (let i = 0; i < length; i++) {
      const kind = CLASS[chunk[i] as number] as number;
      if (kind === PLAIN) {
        previous = PLAIN;
        continue;
      }
      if (kind === FEED) {
        if (runStart < 0) {
          runStart = offset + i;
          firstBreak = -1;
          feeds = 0;
        } else if (firstBreak < 0 && previous === RETURN) firstBreak = offset + i + 1;
        feeds++;
      } else if (kind === NOT_PLAIN) {
        if (runStart >= 0 && feeds > keepLines) runs.push({ end: offset + i, firstBreak, feeds });
        runStart = -1;
      } else if (runStart < 0) {
        runStart = offset + i;
        firstBreak = -1;
        feeds = 0;
      }
      previous = kind;
    }
    offset += length;
  }
  if (runStart >= 0 && feeds > keepLines) runs.push({ end: offset, firstBreak, feeds });
  if (runs.length === 0) return skips;

  // Back: in each run, the last `\r\n` with at least `keepLines` line feeds after it.
  const at = byteReader(chunks);
  for (const run of runs) {
    if (run.firstBreak < 0) continue;
    const to = lastBreakBefore(chunks, at, run, keepLines);
    if (to > run.firstBreak) skips.push({ from: run.firstBreak, to });
  }
  return skips;
}

/**
 * Offset just after the last `\r\n` of the run that has `keepLines` line feeds after it (and
 * lies after `firstBreak`), or -1: hops back from line feed to line feed (native scans).
 */
function lastBreakBefore(
  chunks: readonly Uint8Array[],
  at: (offset: number) => number,
  run: { end: number; firstBreak: number },
  keepLines: number,
): number {
  let after = 0;
  let start = 0;
  for (const chunk of chunks) start += chunk.length;
  for (let c = chunks.length - 1; c >= 0; c--) {
    const chunk = chunks[c] as Uint8Array;
    start -= chunk.length;
    if (start >= run.end) continue;
    const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
    for (
      let lf = bytes.lastIndexOf(LF, run.end - 1 - start);
      lf >= 0;
      lf = lf > 0 ? bytes.lastIndexOf(LF, lf - 1) : -1
    ) {
      const offset = start + lf;
      if (offset <= run.firstBreak) return -1;
      if (after >= keepLines && at(offset - 1) === CR) return offset + 1;
      after++;
    }
    if (start <= run.firstBreak) return -1;
  }
  return -1;
}

/** Below this, a chunk is scanned byte by byte (the native scans cost ~30 calls each). */
const FAST_CHUNK_BYTES = 4096;
/** Bytes that are not plain but ASCII: the C0 controls other than tab, LF and CR, and DEL. */
const ASCII_NOT_PLAIN: number[] = [];
for (let byte = 0; byte < 0x80; byte++) if (CLASS[byte] === NOT_PLAIN) ASCII_NOT_PLAIN.push(byte);

/** Whether every byte of `chunk` is plain, by native scans (~10x a loop over the bytes). */
function allPlain(chunk: Uint8Array): boolean {
  if (!isAscii(chunk)) return false;
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  for (const byte of ASCII_NOT_PLAIN) if (bytes.indexOf(byte) >= 0) return false;
  return true;
}

/** Offset just after the first `\r\n` in a plain chunk (`previous`: the class of the byte before it), or -1. */
function firstCrLf(chunk: Uint8Array, previous: number): number {
  const bytes = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length);
  for (let at = bytes.indexOf(LF); at >= 0; at = bytes.indexOf(LF, at + 1)) {
    if (at > 0 ? bytes[at - 1] === CR : previous === RETURN) return at + 1;
  }
  return -1;
}

/** Random access into the concatenated chunks, fast for mostly-sequential offsets. */
function byteReader(chunks: readonly Uint8Array[]): (offset: number) => number {
  const starts: number[] = [];
  let total = 0;
  for (const chunk of chunks) {
    starts.push(total);
    total += chunk.length;
  }
  let index = 0;
  return (offset) => {
    while (index > 0 && offset < (starts[index] as number)) index--;
    while (index < chunks.length - 1 && offset >= (starts[index + 1] as number)) index++;
    return (chunks[index] as Uint8Array)[offset - (starts[index] as number)] as number;
  };
}

/** What `skipSafe` reads of the emulator; xterm keeps it internal (no public API), read defensively. */
interface InternalCore {
  _inputHandler?: { _parser?: { currentState?: unknown } };
  buffer?: { scrollTop?: unknown; scrollBottom?: unknown };
  coreService?: { modes?: { insertMode?: unknown } };
}

/** xterm's escape sequence parser: its ground state (no sequence or string open). */
const PARSER_GROUND = 0;

/**
 * Whether skipping plain text from here on is exact: the parser is in its ground state (plain
 * bytes inside an OSC string or a CSI would mean something else), the scroll region is the
 * whole screen (so lines scroll into the scrollback) and insert mode is off. Unknown is unsafe.
 */
export function skipSafe(terminal: { rows: number }): boolean {
  const core = (terminal as { _core?: InternalCore })._core;
  return (
    core?._inputHandler?._parser?.currentState === PARSER_GROUND &&
    core.buffer?.scrollTop === 0 &&
    core.buffer.scrollBottom === terminal.rows - 1 &&
    core.coreService?.modes?.insertMode === false
  );
}
