import { describe, expect, it } from "vitest";
import { COALESCE_MAX_BYTES, OutputCoalescer } from "./OutputCoalescer.js";

const line = (n: number) => new TextEncoder().encode(`line ${n}\r\n`);
const text = (parts: readonly Uint8Array[]) => parts.map((p) => new TextDecoder().decode(p)).join("");

describe("OutputCoalescer while no hub is connected", () => {
  it("gathers output into one event until released, then sends it at once, in order", async () => {
    const events: string[] = [];
    const coalescer = new OutputCoalescer((parts) => events.push(text(parts)));
    coalescer.hold(true);
    for (let n = 1; n <= 50; n++) coalescer.push(line(n));
    // Well past the window a connected session's output would have left in.
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(events).toEqual([]);
    coalescer.hold(false);
    expect(events).toEqual([Array.from({ length: 50 }, (_, i) => `line ${i + 1}\r\n`).join("")]);
    // Connected again: the next read leaves on its own, as before.
    coalescer.push(line(51));
    await new Promise((resolve) => setImmediate(resolve));
    expect(events).toEqual([expect.any(String), "line 51\r\n"]);
  });

  it("still cuts events at the largest size, and flushes before an exit", () => {
    const events: number[] = [];
    const coalescer = new OutputCoalescer((parts) => events.push(parts.reduce((n, p) => n + p.length, 0)));
    coalescer.hold(true);
    const chunk = new Uint8Array(4096).fill(121);
    for (let i = 0; i < 20; i++) coalescer.push(chunk);
    expect(events).toEqual([COALESCE_MAX_BYTES]);
    coalescer.flush();
    expect(events).toEqual([COALESCE_MAX_BYTES, 4 * 4096]);
  });

  it("cuts one read larger than an event into events of the largest size, in order", () => {
    const events: Uint8Array[] = [];
    const coalescer = new OutputCoalescer((parts) => events.push(Buffer.concat(parts)));
    coalescer.push(new Uint8Array(10).fill(97));
    const big = new Uint8Array(3 * COALESCE_MAX_BYTES + 5);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    coalescer.push(big);
    coalescer.flush();
    expect(events.map((event) => event.length)).toEqual([
      COALESCE_MAX_BYTES,
      COALESCE_MAX_BYTES,
      COALESCE_MAX_BYTES,
      15,
    ]);
    // Compared as one buffer: an element-wise toEqual of 200 KiB takes seconds.
    expect(Buffer.concat(events).equals(Buffer.concat([new Uint8Array(10).fill(97), big]))).toBe(true);
  });
});
