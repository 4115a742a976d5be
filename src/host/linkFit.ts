/**
 * Whether one of a session's events fits in one message on the host link, and what the log
 * holds instead when it does not. The hub closes a host's link on a message over
 * `MAX_HOST_MESSAGE_BYTES`, and the host keeps an event until the hub acknowledges it and sends
 * it again on every reconnect: one oversized event (a chat's 12 MB reply did it; an editor's
 * huge state, a plug-in kind's result could) cut off every session of its host for good. So an
 * event too large for the link is never sent as is: a small stand-in takes its seq, saying what
 * was dropped and why, and the session and the link carry on.
 */
import { mib } from "../core/byteSize.js";
import type { JsonEvent } from "../protocol/events.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";

/** The `event` message as sent, or why it cannot be, with the event's size when known. */
export type EncodedEvent = { wire: string } | { bytes: number | null; problem: string };

/** Encodes `event` as its link message, or says why it is not sendable. */
export function encodeEvent(event: JsonEvent): EncodedEvent {
  let wire: string;
  try {
    wire = JSON.stringify({ type: "event", event });
  } catch (err) {
    // Too long for a string at all (RangeError), or not JSON (a BigInt, a cycle).
    return {
      bytes: null,
      problem: `the '${event.type}' event could not be encoded (${(err as Error).message}), so the host dropped it`,
    };
  }
  const bytes = wireBytes(wire);
  if (bytes <= MAX_HOST_MESSAGE_BYTES) return { wire };
  return { bytes, problem: tooLarge(event.type, bytes) };
}

/** Bytes of `wire` on the link, or 0 when it surely fits (skips counting a small event's UTF-8). */
export function wireBytes(wire: Uint8Array | string): number {
  if (typeof wire !== "string") return wire.byteLength;
  // A UTF-16 unit is at most 3 bytes of UTF-8: most events are far below the limit.
  if (wire.length * 3 <= MAX_HOST_MESSAGE_BYTES) return wire.length;
  return Buffer.byteLength(wire);
}

/** Whether an encoded event (JSON text or an output frame) is too large to send. */
export function exceedsLink(wire: Uint8Array | string): boolean {
  return wireBytes(wire) > MAX_HOST_MESSAGE_BYTES;
}

export function tooLarge(type: string, bytes: number): string {
  return `the '${type}' event was ${mib(bytes)}, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one message from a host to the hub may hold, so the host dropped it; the session and its host's link carry on`;
}

/**
 * What the log holds at `event`'s seq instead of it. An `exit` stays an exit (the session
 * still ends, with its code and signal), saying why its own data is missing; anything else
 * becomes a `gap` of no output that names the dropped event's type and size, and why.
 */
export function standIn(event: JsonEvent, bytes: number | null, problem: string): JsonEvent {
  if (event.type === "exit") {
    const { code, signal } = event.data;
    return {
      ...event,
      data: {
        code: Number.isInteger(code) ? code : null,
        signal: Number.isInteger(signal) ? signal : null,
        reason: problem,
      },
    };
  }
  return {
    ...event,
    type: "gap",
    data: { fromSeq: event.seq, bytes: 0, dropped: { type: event.type, bytes }, reason: problem },
  };
}
