/**
 * One client's read position in one session's log. Each client reads from its own cursor:
 * while it keeps up, stored events are pushed to it live; when its socket backs up, it stops
 * taking live events and catches up from the store page by page as its socket drains. A slow
 * client therefore never slows the session or the other clients, and misses nothing.
 */
import type { JsonEvent, SessionEvent } from "../protocol/events.js";
import { encodeOutputFrame } from "../protocol/frames.js";
import type { EventStore } from "../store/EventStore.js";
import type { StoredBatchEntry } from "./StoreWriter.js";

/** A client that has this much unsent data stops taking live events and catches up later. */
const LIVE_BACKLOG_BYTES = 1024 * 1024;
/** Catch-up reads stop while the client's socket holds this much. */
const PUMP_BACKLOG_BYTES = 512 * 1024;
/** Events per catch-up read (output events are at most 64 KiB each). */
const PUMP_PAGE_EVENTS = 64;

/** What a subscription needs from a client connection. */
export interface SubscriberChannel {
  /** Bytes queued for this client and not yet written to its socket. */
  readonly backlog: number;
  sendFrame(frame: Uint8Array): void;
  sendEvent(event: JsonEvent): void;
  /** Calls `callback` once the client's queue has drained (or the client is gone). */
  whenDrained(callback: () => void): void;
}

export class Subscription {
  private live = false;
  private waiting = false;
  private closed = false;

  constructor(
    readonly session: string,
    private cursor: number,
    private readonly channel: SubscriberChannel,
    private readonly store: EventStore,
  ) {}

  /** Seq of the last event this client was sent. */
  get position(): number {
    return this.cursor;
  }

  /** Sends everything stored after the cursor, then switches to live delivery. */
  start(): void {
    this.pump();
  }

  /** Newly stored events of this session. */
  offer(entries: readonly StoredBatchEntry[]): void {
    if (this.closed || !this.live) return;
    for (const { event, frame } of entries) {
      if (event.seq <= this.cursor) continue;
      if (this.channel.backlog > LIVE_BACKLOG_BYTES) {
        // Too far behind for live delivery; everything from here on is read back from the store.
        this.live = false;
        this.pump();
        return;
      }
      this.deliver(event, frame);
    }
  }

  close(): void {
    this.closed = true;
  }

  private pump(): void {
    while (!this.closed && !this.waiting) {
      if (this.channel.backlog > PUMP_BACKLOG_BYTES) {
        this.waiting = true;
        this.channel.whenDrained(() => {
          this.waiting = false;
          this.pump();
        });
        return;
      }
      const page = this.store.readEvents(this.session, this.cursor, PUMP_PAGE_EVENTS);
      if (page.length === 0) {
        this.live = true;
        return;
      }
      for (const event of page) this.deliver(event);
    }
  }

  private deliver(event: SessionEvent, frame?: Uint8Array): void {
    this.cursor = event.seq;
    if (event.type === "output") {
      this.channel.sendFrame(frame ?? encodeOutputFrame(event));
    } else {
      this.channel.sendEvent(event);
    }
  }
}
