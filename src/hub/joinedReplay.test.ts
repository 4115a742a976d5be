import { describe, expect, it } from "vitest";
import type { OutputEvent, SessionEvent } from "../protocol/events.js";
import { decodeOutputFrame } from "../protocol/frames.js";
import { joinedReplay, type ReplayPart } from "./joinedReplay.js";

const output = (seq: number, bytes: number | string): OutputEvent => ({
  session: "s",
  seq,
  ts: 1000 + seq,
  type: "output",
  data: typeof bytes === "string" ? new TextEncoder().encode(bytes) : new Uint8Array(bytes),
});
const resize = (seq: number): SessionEvent => ({
  session: "s",
  seq,
  ts: 1000 + seq,
  type: "resize",
  data: { cols: 80, rows: 24 },
});

/** Each part as the seqs it sends: one event, or a joined run. */
const shape = (parts: ReplayPart[]) =>
  parts.map((part) => ("event" in part ? part.event.seq : part.run.map((event) => event.seq)));

describe("joinedReplay", () => {
  it("joins each run of output into one frame carrying its last event's seq and ts", () => {
    const parts = [...joinedReplay([output(1, "ab"), output(2, "cd"), output(3, "e")])];
    expect(shape(parts)).toEqual([[1, 2, 3]]);
    const part = parts[0];
    if (!part || "event" in part) throw new Error("expected a joined run");
    expect(part.seq).toBe(3);
    const frame = decodeOutputFrame(part.frame);
    expect(frame).toMatchObject({ session: "s", seq: 3, ts: 1003 });
    expect(new TextDecoder().decode(frame?.data)).toBe("abcde");
  });

  it("keeps other events in place between runs, and a run of one as it was stored", () => {
    const page = [output(1, "a"), output(2, "b"), resize(3), output(4, "c"), resize(5)];
    expect(shape([...joinedReplay(page)])).toEqual([[1, 2], 3, 4, 5]);
  });

  it("starts a new frame rather than let one pass 64 KiB of output", () => {
    const page = [output(1, 40 * 1024), output(2, 24 * 1024), output(3, 1), output(4, 70 * 1024)];
    expect(shape([...joinedReplay(page)])).toEqual([[1, 2], 3, 4]);
  });
});
