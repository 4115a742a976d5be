/**
 * Unit tests for the page's requests awaiting the hub's replies (no browser needed): each reply
 * settles the request of its `ref`, an error reply rejects it with the hub's code, and a lost
 * link rejects every one as `disconnected`, so the keys among them are sent again.
 */
import { describe, expect, it, vi } from "vitest";
import type { ServerMessage } from "../../src/protocol/client.js";
import { PendingRequests, RequestError } from "../../web/src/lib/pending-requests.js";

/** A request added to `pending`, with the ref it was sent with. */
function sent(pending: PendingRequests, watch = false): { ref: number; reply: Promise<ServerMessage> } {
  let ref = -1;
  const reply = pending.add(watch, (given) => {
    ref = given;
  });
  return { ref, reply };
}

describe("PendingRequests", () => {
  it("settles each request with the reply carrying its ref, and lets other messages pass", async () => {
    const pending = new PendingRequests();
    const first = sent(pending);
    const second = sent(pending);
    expect(first.ref).not.toBe(second.ref);
    const refused = { type: "error", ref: second.ref, code: "not_found", message: "no session 'x'" };
    expect(pending.answer(refused as ServerMessage)).toBe(true);
    await expect(second.reply).rejects.toMatchObject({ code: "not_found", message: "no session 'x'" });
    const pong = { type: "pong" } as ServerMessage;
    expect(pending.answer(pong)).toBe(false);
    const reply = { type: "result", ref: first.ref } as ServerMessage;
    expect(pending.answer(reply)).toBe(true);
    await expect(first.reply).resolves.toBe(reply);
    // Answered once: a second reply with the same ref is no one's.
    expect(pending.answer(reply)).toBe(false);
  });

  it("knows when the longest-waiting watched request was sent, until it is answered", () => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    try {
      const pending = new PendingRequests();
      expect(pending.oldestWatched()).toBeUndefined();
      sent(pending);
      expect(pending.oldestWatched()).toBeUndefined();
      const first = sent(pending, true);
      vi.advanceTimersByTime(1_000);
      const second = sent(pending, true);
      expect(pending.oldestWatched()).toBe(1_700_000_000_000);
      pending.answer({ type: "result", ref: first.ref } as ServerMessage);
      expect(pending.oldestWatched()).toBe(1_700_000_001_000);
      pending.answer({ type: "result", ref: second.ref } as ServerMessage);
      expect(pending.oldestWatched()).toBeUndefined();
    } finally {
      vi.useRealTimers();
    }
  });

  it("rejects every waiting request as disconnected when the link is lost, saying why", async () => {
    const pending = new PendingRequests();
    const requests = [sent(pending), sent(pending, true)];
    pending.failAll("The hub restarted.");
    for (const { reply } of requests) {
      const err = await reply.catch((e: unknown) => e);
      expect(err).toBeInstanceOf(RequestError);
      expect(err).toMatchObject({ code: "disconnected", message: "The hub restarted." });
    }
    expect(pending.oldestWatched()).toBeUndefined();
    const later = sent(pending);
    pending.failAll();
    await expect(later.reply).rejects.toThrow("The connection to the hub was lost.");
  });

  it("rejects a request that could not be sent with why, and awaits no reply to it", async () => {
    const pending = new PendingRequests();
    const refused = pending.add(true, () => {
      throw new RequestError(
        "too_large",
        "Not sent: 2.0 MiB is over the 1 MiB the hub takes in one message.",
      );
    });
    await expect(refused).rejects.toMatchObject({ code: "too_large" });
    // A watched request left waiting would have the link taken for dead a few seconds later.
    expect(pending.oldestWatched()).toBeUndefined();
  });
});
