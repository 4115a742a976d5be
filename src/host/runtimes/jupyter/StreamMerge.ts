/**
 * A cell's consecutive `stream` messages on iopub, merged into one. A kernel that publishes each
 * write as a message (xeus-python: one per `print`) sent the host 200,000 messages for 200,000
 * lines, each becoming two events to the hub and a transcript write: the host fell behind,
 * ZeroMQ's queue filled (150 MB of glibc heap it kept) and the cell took over a minute. Merged,
 * what one turn of the event loop reads of a stream becomes one message: up to
 * `MERGED_STREAM_BYTES` of one stream (`stdout` or `stderr`) of one request, in order. Anything
 * else on iopub (a status, a result) sends what is merged before it, so order is kept.
 */
import type { JupyterMessage } from "./wire.js";

/** The most text one merged message carries (a single larger message passes whole). */
export const MERGED_STREAM_BYTES = 64 * 1024;

interface Merging {
  first: JupyterMessage;
  texts: string[];
  bytes: number;
}

export class StreamMerge {
  private merging: Merging | undefined;
  private flushing: NodeJS.Immediate | undefined;

  constructor(private readonly deliver: (message: JupyterMessage) => void) {}

  /** The next iopub message, in the order read; a stream's `content.text` is a string (`wire.ts`). */
  push(message: JupyterMessage): void {
    if (message.header.msg_type !== "stream") {
      this.flush();
      this.deliver(message);
      return;
    }
    const text = message.content.text as string;
    const bytes = Buffer.byteLength(text);
    const merging = this.merging;
    if (
      merging &&
      (merging.first.parent.msg_id !== message.parent.msg_id ||
        merging.first.content.name !== message.content.name ||
        merging.bytes + bytes > MERGED_STREAM_BYTES)
    )
      this.flush();
    if (this.merging) {
      this.merging.texts.push(text);
      this.merging.bytes += bytes;
      if (message.afterOverflow) this.merging.first = { ...this.merging.first, afterOverflow: true };
      return;
    }
    this.merging = { first: message, texts: [text], bytes };
    // What one turn read goes out before the next: the host's other work (the hub, heartbeats)
    // runs between turns, and a slow kernel's lines are not held back.
    this.flushing ??= setImmediate(() => {
      this.flushing = undefined;
      this.flush();
    });
  }

  /** Sends what is merged now (before another message, at the turn's end, or when the kernel closes). */
  flush(): void {
    const merging = this.merging;
    if (!merging) return;
    this.merging = undefined;
    const { first, texts } = merging;
    if (texts.length === 1) {
      this.deliver(first);
      return;
    }
    this.deliver({ ...first, content: { ...first.content, text: texts.join("") } });
  }
}
