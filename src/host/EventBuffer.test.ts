import { describe, expect, it } from "vitest";
import { type BufferedEvent, EventBuffer } from "./EventBuffer.js";

const event = (seq: number, bytes = 10): BufferedEvent => ({
  seq,
  bytes,
  wire: `event ${seq}`,
  outputBytes: bytes,
});

describe("EventBuffer", () => {
  it("holds only what the hub has not acknowledged, and resends it in order", () => {
    const buffer = new EventBuffer(1000);
    for (let seq = 1; seq <= 5; seq++) buffer.push(event(seq));
    buffer.ack(5);
    expect(buffer.size).toBe(0);
    expect(buffer.after(0).events).toEqual([]);
    // A session that prints now and then after everything was acknowledged.
    for (let seq = 6; seq <= 8; seq++) buffer.push(event(seq));
    buffer.ack(6);
    expect(buffer.size).toBe(20);
    expect(buffer.after(6).events.map((e) => e.seq)).toEqual([7, 8]);
    expect(buffer.after(7).events.map((e) => e.seq)).toEqual([8]);
  });

  it("past its bound drops the oldest events and reports them as one gap until acknowledged", () => {
    const buffer = new EventBuffer(30);
    for (let seq = 1; seq <= 5; seq++) buffer.push(event(seq));
    const { gap, events } = buffer.after(0);
    expect(gap).toEqual({ fromSeq: 1, toSeq: 2, bytes: 20 });
    expect(events.map((e) => e.seq)).toEqual([3, 4, 5]);
    buffer.ack(5);
    expect(buffer.after(0)).toEqual({ gap: undefined, events: [] });
    buffer.push(event(6));
    expect(buffer.after(5).events.map((e) => e.seq)).toEqual([6]);
  });
});
