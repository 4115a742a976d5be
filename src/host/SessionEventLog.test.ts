import { describe, expect, it } from "vitest";
import { decodeOutputFrame } from "../protocol/frames.js";
import { MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import type { BufferedEvent } from "./EventBuffer.js";
import { OutputCoalescer } from "./OutputCoalescer.js";
import { type DroppedEvent, SessionEventLog } from "./SessionEventLog.js";

function newLog(events: BufferedEvent[], dropped: DroppedEvent[] = []): SessionEventLog {
  return new SessionEventLog({
    session: "s1",
    afterSeq: 0,
    bufferLimitBytes: 64 << 20,
    onEvent: (event) => events.push(event),
    onDropped: (one) => dropped.push(one),
  });
}

/** The JSON events of `wires`, as the hub reads them. */
function decoded(
  events: readonly BufferedEvent[],
): { seq: number; type: string; data: Record<string, unknown> }[] {
  return events.map((event) => JSON.parse(event.wire as string).event);
}

describe("SessionEventLog with an OutputCoalescer", () => {
  it("frames the reads gathered for one event straight from the reads, in order, once", () => {
    const events: BufferedEvent[] = [];
    const log = new SessionEventLog({
      session: "s1",
      afterSeq: 4,
      bufferLimitBytes: 1 << 20,
      onEvent: (event) => events.push(event),
    });
    const coalescer = new OutputCoalescer((parts) => log.output(parts));
    const text = new TextEncoder();
    for (const read of ["first ", "second ", "", "third"]) coalescer.push(text.encode(read));
    coalescer.flush();
    coalescer.push(text.encode("next"));
    coalescer.flush();

    expect(events.map((e) => [e.seq, e.outputBytes])).toEqual([
      [5, "first second third".length],
      [6, 4],
    ]);
    const frames = events.map((e) => decodeOutputFrame(e.wire as Uint8Array));
    expect(frames.map((f) => [f?.session, f?.seq, new TextDecoder().decode(f?.data)])).toEqual([
      ["s1", 5, "first second third"],
      ["s1", 6, "next"],
    ]);
    expect(events.map((e) => e.bytes)).toEqual(events.map((e) => (e.wire as Uint8Array).length));
  });
});

describe("SessionEventLog and the host link's message limit", () => {
  it("replaces an event too large for the link by a gap naming it; the log goes on", () => {
    const events: BufferedEvent[] = [];
    const dropped: DroppedEvent[] = [];
    const log = newLog(events, dropped);
    log.emit("state", { text: "x".repeat(MAX_HOST_MESSAGE_BYTES) });
    // Small in characters, large in UTF-8: counted as sent.
    log.emit("state", { text: "é".repeat(MAX_HOST_MESSAGE_BYTES / 2) });
    log.emit("state", { text: "fits" });
    expect(decoded(events)).toMatchObject([
      { seq: 1, type: "gap", data: { fromSeq: 1, bytes: 0, dropped: { type: "state" } } },
      { seq: 2, type: "gap", data: { fromSeq: 2, bytes: 0, dropped: { type: "state" } } },
      { seq: 3, type: "state", data: { text: "fits" } },
    ]);
    expect(dropped.map((one) => [one.seq, one.type])).toEqual([
      [1, "state"],
      [2, "state"],
    ]);
    expect(dropped[0]?.problem).toMatch(
      /^the 'state' event was 8\.0 MiB, more than the 8\.0 MiB one message/,
    );
    expect(Math.max(...events.map((event) => event.bytes))).toBeLessThan(1024);
    expect(log.bufferedBytes).toBeLessThan(4096);
  });

  it("keeps an exit too large as an exit with its code, saying why its data is missing", () => {
    const events: BufferedEvent[] = [];
    newLog(events).emit("exit", { code: 3, signal: null, reason: "y".repeat(MAX_HOST_MESSAGE_BYTES) });
    expect(decoded(events)).toMatchObject([
      {
        seq: 1,
        type: "exit",
        data: { code: 3, signal: null, reason: expect.stringMatching(/'exit' event was/) },
      },
    ]);
  });

  it("replaces an event that cannot be encoded instead of throwing into the runtime", () => {
    const events: BufferedEvent[] = [];
    newLog(events).emit("state", { n: 1n });
    expect(decoded(events)).toMatchObject([
      { seq: 1, type: "gap", data: { dropped: { type: "state", bytes: null } } },
    ]);
  });

  it("replaces a too-large event an earlier host saved, so it is not sent again", () => {
    const oversized = JSON.stringify({
      type: "event",
      event: {
        session: "s1",
        seq: 7,
        ts: 1,
        type: "chat",
        data: { text: "z".repeat(MAX_HOST_MESSAGE_BYTES) },
      },
    });
    const small = JSON.stringify({
      type: "event",
      event: { session: "s1", seq: 8, ts: 1, type: "exit", data: { code: 0, signal: null } },
    });
    const dropped: DroppedEvent[] = [];
    const log = newLog([], dropped);
    log.restore({
      lastSeq: 8,
      gap: undefined,
      events: [
        { seq: 7, bytes: oversized.length, wire: oversized, outputBytes: 0 },
        { seq: 8, bytes: small.length, wire: small, outputBytes: 0 },
      ],
    });
    const replayed = log.replayAfter(0);
    expect(replayed.map((event) => JSON.parse(event.wire as string).event)).toMatchObject([
      { seq: 7, type: "gap", data: { fromSeq: 7, bytes: 0, dropped: { type: "chat" } } },
      { seq: 8, type: "exit", data: { code: 0 } },
    ]);
    expect(dropped).toHaveLength(1);
  });
});
