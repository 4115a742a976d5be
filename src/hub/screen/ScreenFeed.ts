/**
 * Output on its way to the screen worker, copied into pooled buffers that the worker sends back
 * once it has parsed them. A buffer transferred to the worker belongs to the worker's heap
 * until the worker's garbage collector frees it, and the worker allocates so little else that
 * its collector ran rarely: during a 256 MiB flood some 100 MB of output already parsed waited
 * there to be freed, most of the hub's peak (docs/BENCHMARKS.md, "Flood peak"). Reused buffers
 * leave no garbage on either side.
 *
 * Each session's output is packed into a buffer of its own (small while it prints a little,
 * large for a flood's ~64 KiB batches), sent when the buffer fills, before any other message to
 * the worker (so the worker sees everything in order), or `PACK_MS` after the first byte: the
 * screen only needs to be current when a snapshot is asked for, and that request flushes first.
 * A session's output no longer sends another session's half-empty buffer on its way: with 100
 * sessions printing a line every 50 ms, that was a 256 KiB buffer per line, and the allocations
 * kept V8's four GC threads at ~0.7 of a core.
 */
import { SMALL_TRANSFER_BUFFER_BYTES, type ToScreenWorker, TRANSFER_BUFFER_BYTES } from "./messages.js";

/**
 * How long output may wait for more of the same session's output before it is sent. Each
 * message wakes the worker's thread, which on a VM costs this thread a good part of a
 * millisecond: someone typing sent one per keystroke at 20 ms, one per quarter second now.
 */
const PACK_MS = 250;
/** Idle buffers kept for reuse, per size (beyond that, a returned buffer is dropped). */
const MAX_FREE_BUFFERS = 8;
const MAX_FREE_SMALL_BUFFERS = 64;
/** Idle buffers are given up once no output went to the worker for this long. */
const TRIM_AFTER_MS = 5000;

/** Sends one message to the worker, transferring the listed buffers. */
export type SendToWorker = (message: ToScreenWorker, transfer: ArrayBuffer[]) => void;

interface Packing {
  /** Seq of the last event whose output is in (or before) this buffer. */
  seq: number;
  buffer: Uint8Array<ArrayBuffer>;
  used: number;
}

export class ScreenFeed {
  private readonly free: ArrayBuffer[] = [];
  private readonly freeSmall: ArrayBuffer[] = [];
  /** Output held back per session, in the order the sessions first had some. */
  private readonly packings = new Map<string, Packing>();
  private timer: NodeJS.Timeout | undefined;
  private trimTimer: NodeJS.Timeout | undefined;
  private lastTakeAt = 0;

  constructor(private readonly send: SendToWorker) {}

  /** Buffers kept for reuse right now. */
  get idleBuffers(): number {
    return this.free.length + this.freeSmall.length;
  }

  /** Queues `session`'s output through event `seq`; returns its length in bytes. */
  output(session: string, seq: number, chunks: readonly Uint8Array[]): number {
    let bytes = 0;
    for (const chunk of chunks) bytes += chunk.length;
    let left = bytes;
    for (const chunk of chunks) {
      let at = 0;
      while (at < chunk.length) {
        let packing = this.packings.get(session);
        if (!packing) {
          packing = { seq, buffer: new Uint8Array(this.take(left)), used: 0 };
          this.packings.set(session, packing);
        }
        const count = Math.min(chunk.length - at, packing.buffer.length - packing.used);
        packing.buffer.set(chunk.subarray(at, at + count), packing.used);
        packing.used += count;
        at += count;
        left -= count;
        // The worker reads a write's seq only when a snapshot is asked for, after every write.
        packing.seq = seq;
        if (packing.used === packing.buffer.length) this.sendPacking(session, packing);
      }
    }
    const packing = this.packings.get(session);
    if (packing) packing.seq = seq;
    if (this.packings.size > 0 && !this.timer) {
      this.timer = setTimeout(() => this.flush(), PACK_MS);
      this.timer.unref();
    }
    return bytes;
  }

  /** Sends the output held back now (call before any other message to the worker). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    for (const [session, packing] of this.packings) this.sendPacking(session, packing);
  }

  /** Buffers the worker has parsed, back for reuse. */
  returned(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === TRANSFER_BUFFER_BYTES && this.free.length < MAX_FREE_BUFFERS)
        this.free.push(buffer);
      else if (
        buffer.byteLength === SMALL_TRANSFER_BUFFER_BYTES &&
        this.freeSmall.length < MAX_FREE_SMALL_BUFFERS
      )
        this.freeSmall.push(buffer);
    }
    if (this.idleBuffers > 0 && !this.trimTimer) {
      this.trimTimer = setInterval(() => this.trim(), TRIM_AFTER_MS);
      this.trimTimer.unref();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.trimTimer) clearInterval(this.trimTimer);
    this.timer = undefined;
    this.trimTimer = undefined;
    this.packings.clear();
    this.free.length = 0;
    this.freeSmall.length = 0;
  }

  private sendPacking(session: string, packing: Packing): void {
    this.packings.delete(session);
    const { buffer } = packing;
    const data = packing.used === buffer.length ? buffer : buffer.subarray(0, packing.used);
    this.send({ type: "write", session, seq: packing.seq, data }, [buffer.buffer]);
  }

  /** A buffer for `bytes` more of one session's output: small unless it is a flood's. */
  private take(bytes: number): ArrayBuffer {
    this.lastTakeAt = Date.now();
    if (bytes <= SMALL_TRANSFER_BUFFER_BYTES)
      return this.freeSmall.pop() ?? new ArrayBuffer(SMALL_TRANSFER_BUFFER_BYTES);
    return this.free.pop() ?? new ArrayBuffer(TRANSFER_BUFFER_BYTES);
  }

  /** An idle hub keeps no buffers: they are only worth keeping while output flows. */
  private trim(): void {
    if (Date.now() - this.lastTakeAt < TRIM_AFTER_MS) return;
    this.free.length = 0;
    this.freeSmall.length = 0;
    if (this.trimTimer) clearInterval(this.trimTimer);
    this.trimTimer = undefined;
  }
}
