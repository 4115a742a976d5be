/**
 * Output on its way to the screen worker, copied into pooled buffers that the worker sends back
 * once it has parsed them. A buffer transferred to the worker belongs to the worker's heap
 * until the worker's garbage collector frees it, and the worker allocates so little else that
 * its collector ran rarely: during a 256 MiB flood some 100 MB of output already parsed waited
 * there to be freed, most of the hub's peak (docs/BENCHMARKS.md, "Flood peak"). Reused buffers
 * leave no garbage on either side.
 *
 * Consecutive output of one session is packed into full buffers (a flood's stored batches are
 * ~64 KiB each), sent when a buffer fills, before any other message to the worker (so the
 * worker sees everything in order), or `PACK_MS` after the first byte: the screen only needs to
 * be current when a snapshot is asked for, and that request flushes first.
 */
import { type ToScreenWorker, TRANSFER_BUFFER_BYTES } from "./messages.js";

/**
 * How long output may wait for more of the same session's output before it is sent. Each
 * message wakes the worker's thread, which on a VM costs this thread a good part of a
 * millisecond: someone typing sent one per keystroke at 20 ms, one per quarter second now.
 */
const PACK_MS = 250;
/** Idle buffers kept for reuse (beyond that, a returned buffer is dropped). */
const MAX_FREE_BUFFERS = 8;
/** Idle buffers are given up once no output went to the worker for this long. */
const TRIM_AFTER_MS = 5000;

/** Sends one message to the worker, transferring the listed buffers. */
export type SendToWorker = (message: ToScreenWorker, transfer: ArrayBuffer[]) => void;

interface Packing {
  session: string;
  /** Seq of the last event whose output is in (or before) this buffer. */
  seq: number;
  buffer: Uint8Array<ArrayBuffer>;
  used: number;
}

export class ScreenFeed {
  private readonly free: ArrayBuffer[] = [];
  private packing: Packing | undefined;
  private timer: NodeJS.Timeout | undefined;
  private trimTimer: NodeJS.Timeout | undefined;
  private lastTakeAt = 0;

  constructor(private readonly send: SendToWorker) {}

  /** Buffers kept for reuse right now. */
  get idleBuffers(): number {
    return this.free.length;
  }

  /** Queues `session`'s output through event `seq`; returns its length in bytes. */
  output(session: string, seq: number, chunks: readonly Uint8Array[]): number {
    if (this.packing && this.packing.session !== session) this.flush();
    let bytes = 0;
    for (const chunk of chunks) {
      bytes += chunk.length;
      let at = 0;
      while (at < chunk.length) {
        let packing = this.packing;
        if (!packing) {
          packing = { session, seq, buffer: new Uint8Array(this.take()), used: 0 };
          this.packing = packing;
        }
        const count = Math.min(chunk.length - at, packing.buffer.length - packing.used);
        packing.buffer.set(chunk.subarray(at, at + count), packing.used);
        packing.used += count;
        at += count;
        // The worker reads a write's seq only when a snapshot is asked for, after every write.
        packing.seq = seq;
        if (packing.used === packing.buffer.length) this.flush();
      }
    }
    if (this.packing) this.packing.seq = seq;
    if (this.packing && !this.timer) {
      this.timer = setTimeout(() => this.flush(), PACK_MS);
      this.timer.unref();
    }
    return bytes;
  }

  /** Sends the output held back now (call before any other message to the worker). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const packing = this.packing;
    if (!packing) return;
    this.packing = undefined;
    const { buffer } = packing;
    const data = packing.used === buffer.length ? buffer : buffer.subarray(0, packing.used);
    this.send({ type: "write", session: packing.session, seq: packing.seq, data }, [buffer.buffer]);
  }

  /** Buffers the worker has parsed, back for reuse. */
  returned(buffers: readonly ArrayBuffer[]): void {
    for (const buffer of buffers) {
      if (buffer.byteLength === TRANSFER_BUFFER_BYTES && this.free.length < MAX_FREE_BUFFERS)
        this.free.push(buffer);
    }
    if (this.free.length > 0 && !this.trimTimer) {
      this.trimTimer = setInterval(() => this.trim(), TRIM_AFTER_MS);
      this.trimTimer.unref();
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    if (this.trimTimer) clearInterval(this.trimTimer);
    this.timer = undefined;
    this.trimTimer = undefined;
    this.packing = undefined;
    this.free.length = 0;
  }

  private take(): ArrayBuffer {
    this.lastTakeAt = Date.now();
    return this.free.pop() ?? new ArrayBuffer(TRANSFER_BUFFER_BYTES);
  }

  /** An idle hub keeps no buffers: they are only worth keeping while output flows. */
  private trim(): void {
    if (Date.now() - this.lastTakeAt < TRIM_AFTER_MS) return;
    this.free.length = 0;
    if (this.trimTimer) clearInterval(this.trimTimer);
    this.trimTimer = undefined;
  }
}
