/**
 * Where a hosted session's events are born: assigns the next seq, encodes the event once
 * (binary frame for output, JSON otherwise), keeps it in the bounded buffer until the hub
 * acknowledges it, and hands it to the daemon. Every session runtime (PTY, chat, ...) emits
 * through one of these, so seq, buffering, gaps and the link's size limit (`linkFit`) behave
 * the same for all kinds.
 */

import { buffersPassed } from "../platform/bufferGarbage.js";
import type { JsonEvent } from "../protocol/events.js";
import { encodeOutputFrameParts } from "../protocol/frames.js";
import { type BufferedEvent, EventBuffer, type GapMarker } from "./EventBuffer.js";
import { encodeEvent, exceedsLink, standIn, tooLarge, wireBytes } from "./linkFit.js";

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
  /** An event too large for the host link was replaced by a stand-in (`linkFit`): to be logged. */
  onDropped?: (dropped: DroppedEvent) => void;
}

/** An event the log replaced because the host link could not carry it. */
export interface DroppedEvent {
  seq: number;
  type: string;
  /** Its size as a link message (null: it could not even be encoded). */
  bytes: number | null;
  problem: string;
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
    const encoded = encodeEvent(event);
    const wire = "wire" in encoded ? encoded.wire : this.replace(event, encoded.bytes, encoded.problem);
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
    // An earlier host may have saved an event too large for the link: sent again as it was,
    // it would cut the host off at every connect, as it did that host.
    this.buffer.restore(
      held.gap,
      held.events.map((event) => (exceedsLink(event.wire) ? this.restoredStandIn(event) : event)),
    );
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

  /** The stand-in's wire for an event too large for the link, after saying so. */
  private replace(event: JsonEvent, bytes: number | null, problem: string): string {
    this.options.onDropped?.({ seq: event.seq, type: event.type, bytes, problem });
    return JSON.stringify({ type: "event", event: standIn(event, bytes, problem) });
  }

  private restoredStandIn(event: BufferedEvent): BufferedEvent {
    const { seq, wire } = event;
    const bytes = wireBytes(wire);
    const type = typeof wire === "string" ? savedType(wire) : "output";
    const problem = tooLarge(type, bytes);
    this.options.onDropped?.({ seq, type, bytes, problem });
    const base = { session: this.options.session, seq, ts: Date.now() };
    const replacement: JsonEvent =
      typeof wire === "string"
        ? standIn({ ...base, type, data: {} }, bytes, problem)
        : // Output lost is what a gap always said: its bytes count.
          {
            ...base,
            type: "gap",
            data: { fromSeq: seq, bytes: event.outputBytes, dropped: { type, bytes }, reason: problem },
          };
    const replaced = JSON.stringify({ type: "event", event: replacement });
    return { seq, bytes: replaced.length, wire: replaced, outputBytes: 0 };
  }

  private push(event: BufferedEvent): void {
    this.buffer.push(event);
    this.options.onEvent(event);
  }
}

/** The type of a saved event's JSON message (`unknown` when it cannot be read). */
function savedType(wire: string): string {
  try {
    const type = (JSON.parse(wire) as { event?: { type?: unknown } }).event?.type;
    return typeof type === "string" ? type : "unknown";
  } catch {
    return "unknown";
  }
}
