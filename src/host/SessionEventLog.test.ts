import { describe, expect, it } from "vitest";
import { decodeOutputFrame } from "../protocol/frames.js";
import type { BufferedEvent } from "./EventBuffer.js";
import { OutputCoalescer } from "./OutputCoalescer.js";
import { SessionEventLog } from "./SessionEventLog.js";

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
