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
    // Printable bytes: every cut is at a character's end.
    for (let i = 0; i < big.length; i++) big[i] = 32 + (i % 95);
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

describe("OutputCoalescer's cuts", () => {
  const utf8 = (t: string) => new Uint8Array(Buffer.from(t, "utf8"));

  it("holds a character or escape sequence a read cut short until the read that finishes it", () => {
    const events: string[] = [];
    const coalescer = new OutputCoalescer((parts) => events.push(Buffer.concat(parts).toString("latin1")));
    const kanji = utf8("start 漢");
    coalescer.push(kanji.subarray(0, kanji.length - 1));
    coalescer.flush();
    coalescer.push(kanji.subarray(kanji.length - 1));
    coalescer.push(utf8(" after \x1b[3"));
    coalescer.flush();
    coalescer.push(utf8("1mRED\x1b[0m"));
    coalescer.flush();
    const decoded = events.map((event) => Buffer.from(event, "latin1").toString("utf8"));
    expect(decoded).toEqual(["start ", "漢 after ", "\x1b[31mRED\x1b[0m"]);
  });

  it("cuts a read larger than an event where the output can be cut", () => {
    const events: Buffer[] = [];
    const coalescer = new OutputCoalescer((parts) => events.push(Buffer.concat(parts)));
    const big = utf8("\x1b[38;5;208m漢字テスト ".repeat(20_000));
    coalescer.push(big);
    coalescer.flush();
    expect(events.length).toBeGreaterThan(1);
    for (const event of events) {
      expect(event.toString("utf8")).not.toContain("\ufffd");
      const text = event.toString("utf8");
      // Each event starts with the colour's sequence or a whole character of the text.
      expect(text.startsWith("\x1b[38;5;208m") || "漢字テスト ".includes(text[0] as string)).toBe(true);
    }
    expect(Buffer.concat(events).equals(Buffer.from(big))).toBe(true);
  });

  it("sends an unfinished tail with the last output, before the exit", () => {
    const events: string[] = [];
    const coalescer = new OutputCoalescer((parts) => events.push(Buffer.concat(parts).toString("latin1")));
    coalescer.push(utf8("bye\x1b["));
    coalescer.flush();
    expect(events).toEqual(["bye"]);
    coalescer.flushAll();
    expect(events).toEqual(["bye", "\x1b["]);
  });
});
