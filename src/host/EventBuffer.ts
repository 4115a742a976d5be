/**
 * The host's per-session buffer of events the hub has not yet acknowledged. Events are kept
 * encoded (binary frame or JSON text), ready to resend after a reconnect.
 *
 * Bounded: past `limitBytes` the oldest events are dropped and replaced by one `gap` event
 * whose seq is the last dropped seq and whose data says where the gap began and how many bytes
 * it lost, so the log stays contiguous and the loss stays visible.
 */

export interface BufferedEvent {
  seq: number;
  /** Size counted against the bound. */
  bytes: number;
  /** What goes on the wire: a binary frame or a JSON message. */
  wire: Uint8Array | string;
  /** Output bytes this event carried (0 for control events). */
  outputBytes: number;
}

export interface GapMarker {
  fromSeq: number;
  toSeq: number;
  bytes: number;
}

export class EventBuffer {
  private events: BufferedEvent[] = [];
  private head = 0;
  private totalBytes = 0;
  private gap: GapMarker | undefined;

  constructor(private readonly limitBytes: number) {}

  /** Bytes currently held (what `dispatch status` shows as buffered). */
  get size(): number {
    return this.totalBytes;
  }

  push(event: BufferedEvent): void {
    this.events.push(event);
    this.totalBytes += event.bytes;
    while (this.totalBytes > this.limitBytes && this.head < this.events.length - 1) {
      const dropped = this.events[this.head++] as BufferedEvent;
      this.totalBytes -= dropped.bytes;
      this.gap = this.gap
        ? { fromSeq: this.gap.fromSeq, toSeq: dropped.seq, bytes: this.gap.bytes + dropped.outputBytes }
        : { fromSeq: dropped.seq, toSeq: dropped.seq, bytes: dropped.outputBytes };
    }
    this.compact();
  }

  /** Forgets everything up to and including `seq` (the hub has stored it). */
  ack(seq: number): void {
    if (this.gap && this.gap.toSeq <= seq) this.gap = undefined;
    while (this.head < this.events.length && (this.events[this.head] as BufferedEvent).seq <= seq) {
      this.totalBytes -= (this.events[this.head] as BufferedEvent).bytes;
      this.head++;
    }
    this.compact();
  }

  /**
   * Puts back what a stopped host saved (`SavedSessions`): the gap it had marked, then its
   * events in order, under the same bound.
   */
  restore(gap: GapMarker | undefined, events: readonly BufferedEvent[]): void {
    this.gap = gap;
    for (const event of events) this.push(event);
  }

  /** The gap (if any) and events after `seq`, in order, for a resync. */
  after(seq: number): { gap: GapMarker | undefined; events: BufferedEvent[] } {
    const gap = this.gap && this.gap.toSeq > seq ? this.gap : undefined;
    const events: BufferedEvent[] = [];
    for (let i = this.head; i < this.events.length; i++) {
      const event = this.events[i] as BufferedEvent;
      if (event.seq > seq) events.push(event);
    }
    return { gap, events };
  }

  /**
   * Drops the acknowledged prefix: at once when everything is acknowledged (the usual case,
   * so a session printing a line now and then holds nothing: up to 1024 acknowledged events
   * per session used to stay referenced), else once it is large, so shifting stays O(1)
   * amortized.
   */
  private compact(): void {
    if (this.head > 0 && this.head === this.events.length) {
      this.events = [];
      this.head = 0;
    } else if (this.head > 1024 && this.head * 2 > this.events.length) {
      this.events = this.events.slice(this.head);
      this.head = 0;
    }
  }
}
