/**
 * A kernel's iopub channel, where it publishes everything a request does (its status, outputs,
 * results) to every client. Read in slices of the event loop, a cell's stream messages merged
 * (`StreamMerge.ts`); messages that fail to decode or verify are dropped and reported, never
 * acted on.
 */
import type { Subscriber } from "zeromq";
import { buffersPassed } from "../../../platform/bufferGarbage.js";
import type { Channel } from "./connection.js";
import { StreamMerge } from "./StreamMerge.js";
import { decode, type JupyterMessage, type Signer } from "./wire.js";

/**
 * iopub messages queued for us before ZeroMQ drops new ones (its default is 1000). A PUB socket
 * drops what a slow subscriber has no room for, silently: a kernel that publishes each write as
 * a message (xeus-python printing line by line) outruns the host at once, and the cell's last
 * lines, its result and its idle status were lost. Bounded still, but not small: in libzmq a
 * message is ~1.5 KB (each frame its own allocation), so a full queue is ~150 MB of glibc's heap,
 * which glibc keeps once it is free (docs/BENCHMARKS.md, "A kernel's flood"). At 10,000 the
 * queue drops in a xeus-python flood, the middle of it, its idle coming through: so the reader
 * watches for a full queue (`mayHaveOverflowed`) and says so on the next message.
 */
export const IOPUB_QUEUE_MESSAGES = 10_000;

/** How long reading iopub may hold the host's event loop before it lets the rest run. */
const IOPUB_SLICE_MS = 20;

export interface IopubHandlers {
  onIopub(message: JupyterMessage): void;
  onDropped(channel: Channel, reason: string): void;
}

export class IopubReader {
  /** Requests whose messages are the reader's own (a start's kernel_info_request), not passed on. */
  private readonly waiters = new Map<string, () => void>();

  /** Messages read in a row with more already waiting (`socket.readable` after each). */
  private backlog = 0;

  constructor(
    private readonly socket: Subscriber,
    private readonly signer: Signer,
    private readonly queueMessages = IOPUB_QUEUE_MESSAGES,
  ) {}

  /**
   * Whether the queue may have been full since the last message: it can only drop once it holds
   * `queueMessages`, and those are then read in a row, each with more waiting. A run that long
   * may also be a kernel sending as fast as it is read: then a cell is marked that lost nothing,
   * which is the side to err on.
   */
  private mayHaveOverflowed(): boolean {
    if (!this.socket.readable) {
      this.backlog = 0;
      return false;
    }
    this.backlog++;
    if (this.backlog < this.queueMessages - 1) return false;
    this.backlog = 0;
    return true;
  }

  /** Calls `heard` when a message of request `id` comes, instead of passing it on, until `unwait`. */
  wait(id: string, heard: () => void): void {
    this.waiters.set(id, heard);
  }

  unwait(id: string): void {
    this.waiters.delete(id);
  }

  /** Reads until the socket closes. */
  async read(handlers: IopubHandlers): Promise<void> {
    const merge = new StreamMerge((message) => handlers.onIopub(message));
    let sliceStart = performance.now();
    try {
      for await (const frames of this.socket) {
        // Messages already queued are read without a turn of the event loop between them: a
        // flood (xeus-python publishes each write) kept the host from everything else for
        // seconds, and the hub dropped it for missed heartbeats. So it gives way now and then.
        if (performance.now() - sliceStart > IOPUB_SLICE_MS) {
          await new Promise((resolve) => setImmediate(resolve));
          sliceStart = performance.now();
        }
        let bytes = 0;
        for (const frame of frames) bytes += frame.length;
        // A flood's frames and what they are parsed into are garbage at once, and most never
        // reach the session's output (a cell keeps 1 MiB): the collector hears of all of it.
        buffersPassed(bytes);
        const overflowed = this.mayHaveOverflowed();
        const decoded = decode(this.signer, frames);
        if (overflowed && decoded.ok) decoded.message.afterOverflow = true;
        if (!decoded.ok) {
          handlers.onDropped("iopub", decoded.reason);
          continue;
        }
        const parentId = decoded.message.parent.msg_id;
        const waiter = parentId ? this.waiters.get(parentId) : undefined;
        if (waiter) waiter();
        else merge.push(decoded.message);
      }
    } catch {
      // The socket was closed (what is merged still goes, at the turn's end).
    }
  }
}
