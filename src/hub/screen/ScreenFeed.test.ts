import { describe, expect, it } from "vitest";
import { type ToScreenWorker, TRANSFER_BUFFER_BYTES } from "./messages.js";
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
    feed.output("a", 2, [big]);
    feed.output("b", 3, [bytes(5, 3)]);
    feed.flush();
    const a = writes.filter((w) => w.message.session === "a");
    expect(a.map((w) => w.message.data.length)).toEqual([TRANSFER_BUFFER_BYTES, 1010]);
    const joined = new Uint8Array(a.reduce((n, w) => n + w.message.data.length, 0));
    let at = 0;
    for (const w of a) {
      joined.set(w.message.data, at);
      at += w.message.data.length;
    }
    expect(joined.subarray(0, 10)).toEqual(bytes(10, 1));
    expect(joined.subarray(10)).toEqual(big);
    expect(a.at(-1)?.message.seq).toBe(2);
    // Another session's output never shares a buffer, and follows what came before it.
    expect(writes.at(-1)?.message).toMatchObject({ session: "b", seq: 3 });
    expect(writes.at(-1)?.message.data).toEqual(bytes(5, 3));
  });

  it("reuses the buffers the worker hands back instead of allocating new ones", () => {
    const { feed, writes } = recorder();
    feed.output("a", 1, [bytes(TRANSFER_BUFFER_BYTES, 7)]);
    const first = writes[0]?.transfer[0] as ArrayBuffer;
    expect(first.byteLength).toBe(TRANSFER_BUFFER_BYTES);
    feed.returned([first]);
    expect(feed.idleBuffers).toBe(1);
    feed.output("a", 2, [bytes(100, 8)]);
    feed.flush();
    expect(writes[1]?.transfer[0]).toBe(first);
    expect(writes[1]?.message.data).toEqual(bytes(100, 8));
    expect(feed.idleBuffers).toBe(0);
    feed.dispose();
  });
});
