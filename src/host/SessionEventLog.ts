/**
 * Where a hosted session's events are born: assigns the next seq, encodes the event once
 * (binary frame for output, JSON otherwise), keeps it in the bounded buffer until the hub
 * acknowledges it, and hands it to the daemon. Every session runtime (PTY, chat, ...) emits
 * through one of these, so seq, buffering and gaps behave the same for all kinds.
 */

import { buffersPassed } from "../platform/bufferGarbage.js";
import type { JsonEvent } from "../protocol/events.js";
import { encodeOutputFrameParts } from "../protocol/frames.js";
import { type BufferedEvent, EventBuffer, type GapMarker } from "./EventBuffer.js";

/** What the hub has not acknowledged, kept over a host's restart (`SavedSessions`). */
export interface HeldEvents {
  lastSeq: number;
  gap: GapMarker | undefined;
  events: BufferedEvent[];
}

/** An event on its way to the hub again: its seq (for the hub's acknowledgement) and its wire form. */
export interface ReplayedEvent {
  seq: number;
  wire: Uint8Array | string;
}

export interface SessionEventLogOptions {
  session: string;
  /** Seq of the last event the hub already holds (0 for a new session). */
  afterSeq: number;
  bufferLimitBytes: number;
  onEvent: (event: BufferedEvent) => void;
}

export class SessionEventLog {
  private seq: number;
  private readonly buffer: EventBuffer;

  constructor(private readonly options: SessionEventLogOptions) {
    this.seq = options.afterSeq;
    this.buffer = new EventBuffer(options.bufferLimitBytes);
  }

  get lastSeq(): number {
    return this.seq;
  }

  get bufferedBytes(): number {
    return this.buffer.size;
  }

  /** One output event made of `parts` (the reads gathered for it), framed in one copy. */
  output(parts: readonly Uint8Array[]): void {
    const seq = ++this.seq;
    const wire = encodeOutputFrameParts({ session: this.options.session, seq, ts: Date.now() }, parts);
    let outputBytes = 0;
    for (const part of parts) outputBytes += part.length;
    buffersPassed(outputBytes);
    this.push({ seq, bytes: wire.length, wire, outputBytes });
  }

  emit(type: string, data: Record<string, unknown>): number {
    const seq = ++this.seq;
    const event: JsonEvent = { session: this.options.session, seq, ts: Date.now(), type, data };
    const wire = JSON.stringify({ type: "event", event });
    this.push({ seq, bytes: wire.length, wire, outputBytes: 0 });
    return seq;
  }

  ack(seq: number): void {
    this.buffer.ack(seq);
  }

  /** Everything the hub has not acknowledged, to be saved when the host stops. */
  held(): HeldEvents {
    const { gap, events } = this.buffer.after(0);
    return { lastSeq: this.seq, gap, events };
  }

  /** Takes back what an earlier host process held (`held`), to replay it to the hub. */
  restore(held: HeldEvents): void {
    this.seq = held.lastSeq;
    this.buffer.restore(held.gap, held.events);
  }

  /** Buffered events after `seq`, with a `gap` event first when output was dropped. */
  replayAfter(seq: number): ReplayedEvent[] {
    const { gap, events } = this.buffer.after(seq);
    const wire: ReplayedEvent[] = [];
    if (gap) {
      const event: JsonEvent = {
        session: this.options.session,
        seq: gap.toSeq,
        ts: Date.now(),
        type: "gap",
        data: { fromSeq: Math.max(gap.fromSeq, seq + 1), bytes: gap.bytes },
      };
      wire.push({ seq: gap.toSeq, wire: JSON.stringify({ type: "event", event }) });
    }
    for (const event of events) wire.push({ seq: event.seq, wire: event.wire });
    return wire;
  }

  private push(event: BufferedEvent): void {
    this.buffer.push(event);
    this.options.onEvent(event);
  }
}
