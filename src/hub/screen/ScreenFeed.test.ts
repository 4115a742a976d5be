import { describe, expect, it } from "vitest";
import { SMALL_TRANSFER_BUFFER_BYTES, type ToScreenWorker, TRANSFER_BUFFER_BYTES } from "./messages.js";
import { ScreenFeed } from "./ScreenFeed.js";

type Write = Extract<ToScreenWorker, { type: "write" }>;

function recorder() {
  const writes: { message: Write; transfer: ArrayBuffer[] }[] = [];
  const feed = new ScreenFeed((message, transfer) => {
    if (message.type !== "write") throw new Error("only writes expected");
    // What the worker receives: a copy, as after a transfer (the sender's view is detached).
    writes.push({ message: { ...message, data: new Uint8Array(message.data) }, transfer });
  });
  return { feed, writes };
}

const bytes = (length: number, fill: number) => new Uint8Array(length).fill(fill);

describe("ScreenFeed", () => {
  it("delivers every byte once and in order, packed per session, the last write carrying the last seq", () => {
    const { feed, writes } = recorder();
    const big = new Uint8Array(TRANSFER_BUFFER_BYTES + 1000);
    for (let i = 0; i < big.length; i++) big[i] = i % 251;
    feed.output("a", 1, [bytes(10, 1)]);
    feed.output("b", 2, [bytes(5, 3)]);
    feed.output("a", 3, [big]);
    feed.flush();
    const a = writes.filter((w) => w.message.session === "a");
    // A small buffer first (a session printing a little), then large ones for the flood.
    expect(a[0]?.message.data.length).toBe(SMALL_TRANSFER_BUFFER_BYTES);
    const joined = new Uint8Array(a.reduce((n, w) => n + w.message.data.length, 0));
    let at = 0;
    for (const w of a) {
      joined.set(w.message.data, at);
      at += w.message.data.length;
    }
    expect(joined.length).toBe(10 + big.length);
    expect(joined.subarray(0, 10)).toEqual(bytes(10, 1));
    expect(joined.subarray(10)).toEqual(big);
    expect(a.at(-1)?.message.seq).toBe(3);
    // Another session's output never shares a buffer, and waited in a buffer of its own.
    const b = writes.filter((w) => w.message.session === "b");
    expect(b.map((w) => [w.message.seq, [...w.message.data]])).toEqual([[2, [3, 3, 3, 3, 3]]]);
  });

  it("sends many sessions' lines as one message per session, not one per line", () => {
    const { feed, writes } = recorder();
    for (let line = 1; line <= 20; line++) {
      for (const session of ["a", "b", "c"]) feed.output(session, line, [bytes(8, line)]);
    }
    feed.flush();
    expect(writes.map((w) => [w.message.session, w.message.seq, w.message.data.length])).toEqual([
      ["a", 20, 160],
      ["b", 20, 160],
      ["c", 20, 160],
    ]);
    expect(writes.every((w) => w.transfer[0]?.byteLength === SMALL_TRANSFER_BUFFER_BYTES)).toBe(true);
  });

  it("reuses the buffers the worker hands back instead of allocating new ones", () => {
    const { feed, writes } = recorder();
    feed.output("a", 1, [bytes(TRANSFER_BUFFER_BYTES, 7)]);
    feed.output("b", 2, [bytes(100, 8)]);
    feed.flush();
    const large = writes[0]?.transfer[0] as ArrayBuffer;
    const small = writes[1]?.transfer[0] as ArrayBuffer;
    expect([large.byteLength, small.byteLength]).toEqual([
      TRANSFER_BUFFER_BYTES,
      SMALL_TRANSFER_BUFFER_BYTES,
    ]);
    feed.returned([large, small]);
    expect(feed.idleBuffers).toBe(2);
    feed.output("a", 3, [bytes(64 * 1024, 9)]);
    feed.output("b", 4, [bytes(10, 1)]);
    feed.flush();
    expect(writes[2]?.transfer[0]).toBe(large);
    expect(writes[3]?.transfer[0]).toBe(small);
    expect(writes[3]?.message.data).toEqual(bytes(10, 1));
    expect(feed.idleBuffers).toBe(0);
    feed.dispose();
  });
});
