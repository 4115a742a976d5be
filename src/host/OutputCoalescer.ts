/**
 * Coalesces PTY output into events. The first chunk after a quiet spell, or after a small
 * flush, goes out on the next turn of the event loop, so a keystroke's echo is not delayed;
 * while large output keeps flowing,
 * chunks are gathered for up to `COALESCE_WINDOW_MS` or `COALESCE_MAX_BYTES`, so a flood
 * becomes a few large events instead of thousands of small ones. The reads gathered go out as
 * they are: the event's frame is built from them in one copy (`encodeOutputFrameParts`).
 */

import { UNFINISHED_LOOKBACK_BYTES, unfinishedTail } from "./unfinishedTail.js";

/** Upper bound on the delay added to streaming output: about one frame at 60 fps. */
export const COALESCE_WINDOW_MS = 16;
/** Largest output event; keeps frames and store rows a sensible size, far below the link's limit. */
export const COALESCE_MAX_BYTES = 64 * 1024;
/** A flush this small looks interactive (an echo, a prompt): the next one is not delayed. */
const INTERACTIVE_FLUSH_BYTES = 1024;
/** After input, the session's output goes out as it is read, this long (its echo, its redraw). */
const ECHO_WINDOW_MS = 500;

export class OutputCoalescer {
  private chunks: Uint8Array[] = [];
  private pendingBytes = 0;
  private lastFlushAt = 0;
  private lastFlushBytes = 0;
  private timer: NodeJS.Timeout | undefined;
  private immediate: NodeJS.Immediate | undefined;
  private echoUntil = 0;
  /** No hub to send to: output is gathered into events of the largest size (`hold`). */
  private holding = false;

  /** `emit` gets the reads of one event, in order, to copy (they are not reused after). */
  constructor(private readonly emit: (parts: readonly Uint8Array[]) => void) {}

  push(data: Uint8Array): void {
    let chunk = data;
    // No event outgrows the largest size, however much a runtime hands over at once: a
    // plug-in's one 9 MiB write was one frame over the host link's limit (`linkFit`).
    while (this.pendingBytes + chunk.length > COALESCE_MAX_BYTES) {
      const room = COALESCE_MAX_BYTES - this.pendingBytes;
      this.chunks.push(chunk.subarray(0, room));
      this.pendingBytes += room;
      chunk = chunk.subarray(room);
      this.flush();
    }
    if (chunk.length === 0) return;
    this.chunks.push(chunk);
    this.pendingBytes += chunk.length;
    if (this.pendingBytes >= COALESCE_MAX_BYTES) {
      this.flush();
      return;
    }
    if (this.holding) return;
    const now = Date.now();
    if (now < this.echoUntil) {
      // Someone typed: their echo leaves with this read, not after the other sessions' reads
      // that this turn of the event loop also handles.
      this.flush();
      return;
    }
    if (this.timer || this.immediate) return;
    const sinceFlush = now - this.lastFlushAt;
    // After a small flush (typing, prompts) the next output goes out at once too: only a
    // stream of large reads is worth holding back for the window.
    if (sinceFlush >= COALESCE_WINDOW_MS || this.lastFlushBytes <= INTERACTIVE_FLUSH_BYTES) {
      this.immediate = setImmediate(() => this.flush());
    } else {
      this.timer = setTimeout(() => this.flush(), COALESCE_WINDOW_MS - sinceFlush);
    }
  }

  /** The session just got input: its output goes out as it is read for a moment. */
  expectEcho(now = Date.now()): void {
    this.echoUntil = now + ECHO_WINDOW_MS;
  }

  /**
   * While no hub is connected, output is gathered into events of up to `COALESCE_MAX_BYTES`
   * instead of one per window: a session printing a line every 50 ms through a 2 s hub
   * restart then waits as 1 event instead of 40, and the hub's catch-up, which stores, fans
   * out and acknowledges every event, is that much shorter. Releasing sends what is gathered.
   */
  hold(on: boolean): void {
    this.holding = on;
    if (!on) this.flush();
  }

  /**
   * Emits what is pending now (before another event of the session, or a reply about it),
   * but an unfinished character or escape sequence at its end, which waits for the output
   * that finishes it (`unfinishedTail`): events end where the stream can be cut.
   */
  flush(): void {
    this.emitPending(this.unfinished());
  }

  /** Emits everything pending, finished or not (the session's last output, before its exit). */
  flushAll(): void {
    this.emitPending(0);
  }

  dispose(): void {
    this.flushAll();
  }

  private emitPending(held: number): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.immediate) clearImmediate(this.immediate);
    this.timer = undefined;
    this.immediate = undefined;
    if (this.pendingBytes === held) return;
    const parts = this.chunks;
    const kept = held > 0 ? cutTail(parts, held) : [];
    this.lastFlushBytes = this.pendingBytes - held;
    this.chunks = kept;
    this.pendingBytes = held;
    this.lastFlushAt = Date.now();
    this.emit(parts);
  }

  /** Bytes at the end of the pending output that are an unfinished character or sequence. */
  private unfinished(): number {
    const tail = Math.min(this.pendingBytes, UNFINISHED_LOOKBACK_BYTES);
    if (tail === 0) return 0;
    const last = this.chunks[this.chunks.length - 1] as Uint8Array;
    // Most reads are larger than the look-back: no copy then.
    const bytes =
      last.length >= tail ? last.subarray(last.length - tail) : Buffer.concat(this.chunks).subarray(-tail);
    return unfinishedTail(bytes);
  }
}

/** Takes the last `count` bytes off `parts` (in place) and returns them, as parts. */
function cutTail(parts: Uint8Array[], count: number): Uint8Array[] {
  const kept: Uint8Array[] = [];
  let left = count;
  while (left > 0) {
    const last = parts.pop() as Uint8Array;
    if (last.length <= left) {
      kept.unshift(last);
      left -= last.length;
    } else {
      kept.unshift(last.subarray(last.length - left));
      parts.push(last.subarray(0, last.length - left));
      left = 0;
    }
  }
  return kept;
}
