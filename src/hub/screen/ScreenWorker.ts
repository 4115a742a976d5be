/**
 * The hub's end of the screen worker thread: started on first use, messages in order (output
 * packed by `ScreenFeed`), replies matched to requests, output in flight counted. It can be
 * stopped whenever the tracker says nothing would be lost (every screen in a stored snapshot):
 * the next message starts a fresh thread.
 */
import { EventEmitter } from "node:events";
import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import { startBackgroundWorker } from "../../platform/backgroundWorker.js";
import type { FromScreenWorker, ToScreenWorker } from "./messages.js";
import { ScreenFeed } from "./ScreenFeed.js";

export interface ScreenWorkerEvents {
  /** A slice of a session's output was parsed; `skipped` of it scrolled off unseen. */
  printed: [session: string, bytes: number, skipped: number];
  /** The preview line read off a session's screen changed (`screenPreview`). */
  preview: [session: string, line: string];
}

export class ScreenWorker extends EventEmitter<ScreenWorkerEvents> {
  private thread: Worker | undefined;
  private readonly pending = new Map<number, (reply: FromScreenWorker) => void>();
  private readonly feed = new ScreenFeed((message, transfer) => this.start().postMessage(message, transfer));
  private nextRef = 1;
  /** Output bytes posted and not yet reported parsed. */
  private inflight = 0;
  /** When the thread was last sent or answered anything. */
  private lastWorkAt = 0;

  constructor(private readonly logger: Logger) {
    super();
  }

  get running(): boolean {
    return this.thread !== undefined;
  }

  /** Output posted and not parsed yet, in bytes. */
  get inflightBytes(): number {
    return this.inflight;
  }

  /** Whether nothing was sent or answered for `ms`, and no reply is awaited. */
  quietFor(ms: number): boolean {
    return Date.now() - this.lastWorkAt >= ms && this.pending.size === 0 && this.inflight === 0;
  }

  /** Output held back for packing goes first: the worker sees every message in order. */
  post(message: ToScreenWorker): void {
    this.lastWorkAt = Date.now();
    this.feed.flush();
    this.start().postMessage(message);
  }

  /** Output is views into larger received buffers: copied once, into pooled buffers. */
  postOutput(session: string, seq: number, chunks: readonly Uint8Array[]): void {
    this.lastWorkAt = Date.now();
    this.inflight += this.feed.output(session, seq, chunks);
  }

  /** The session's screen as the worker has it now. */
  request(session: string): Promise<FromScreenWorker> {
    return this.ask({ type: "snapshot", session, ref: this.nextRef++ });
  }

  /** The last `count` lines of the session's screen as text. */
  requestRows(session: string, count: number): Promise<FromScreenWorker> {
    return this.ask({ type: "rows", session, ref: this.nextRef++, count });
  }

  private ask(message: Extract<ToScreenWorker, { ref: number }>): Promise<FromScreenWorker> {
    const reply = new Promise<FromScreenWorker>((resolve) => this.pending.set(message.ref, resolve));
    this.post(message);
    return reply;
  }

  /** Ends the thread (its screens are gone with it). */
  async stop(): Promise<void> {
    const thread = this.thread;
    this.thread = undefined;
    this.feed.dispose();
    await thread?.terminate();
  }

  private receive(message: FromScreenWorker): void {
    this.lastWorkAt = Date.now();
    if (message.type === "parsed") {
      this.inflight = Math.max(0, this.inflight - message.bytes);
      this.feed.returned(message.buffers ?? []);
      for (const p of message.printed ?? []) this.emit("printed", p.session, p.bytes, p.skipped);
      for (const p of message.previews ?? []) this.emit("preview", p.session, p.line);
      return;
    }
    if (message.type === "error" && message.ref === undefined) {
      this.logger.warn({ session: message.session, problem: message.message }, "screen worker error");
      return;
    }
    const ref = message.ref as number;
    const resolve = this.pending.get(ref);
    this.pending.delete(ref);
    resolve?.(message);
  }

  private start(): Worker {
    if (this.thread) return this.thread;
    const thread = startBackgroundWorker(new URL("./worker.js", import.meta.url));
    thread.on("message", (message: FromScreenWorker) => this.receive(message));
    thread.on("error", (err) => this.logger.error({ err }, "screen worker failed"));
    thread.unref();
    this.thread = thread;
    return thread;
  }
}
