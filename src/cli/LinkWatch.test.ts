/**
 * When a CLI client takes the link its inputs went over for dead (no receipt, nothing heard),
 * on the watch's own (fake) clock. A client recovering from such a link is
 * `test/attachResend.test.ts` and `test/chatResend.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LINK_SILENT_MS } from "../core/linkSilence.js";
import type { ClientSocket } from "./ClientSocket.js";
import { LinkWatch } from "./LinkWatch.js";

/** A connection the test speaks for: `hear()` is the hub saying anything on it. */
function fakeSocket() {
  // One list for messages and output alike: the same listener may be on both.
  const listeners: (() => void)[] = [];
  const link = { closes: 0, listening: () => listeners.length };
  const listen = (fn: () => void) => {
    listeners.push(fn);
    return () => listeners.splice(listeners.indexOf(fn), 1);
  };
  const socket = {
    isOpen: true,
    onMessage: listen,
    onOutput: listen,
    close: () => {
      link.closes++;
      return Promise.resolve();
    },
  } as unknown as ClientSocket;
  const hear = () => {
    for (const fn of listeners) fn();
  };
  return { socket, link, hear };
}

describe("LinkWatch", () => {
  beforeEach(() => {
    // The watch looks on `setImmediate` after its timer (a fake tick later): both on the fake clock.
    vi.useFakeTimers({
      now: 1_700_000_000_000,
      toFake: ["Date", "setTimeout", "clearTimeout", "setImmediate", "clearImmediate"],
    });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("closes the connection once an input sent over it waited 5 s with nothing heard", () => {
    const { socket, link } = fakeSocket();
    const sentAt = Date.now();
    const watch = new LinkWatch(() => sentAt);
    watch.sent(socket);
    vi.advanceTimersByTime(LINK_SILENT_MS - 1);
    expect(link.closes).toBe(0);
    vi.advanceTimersByTime(2);
    expect(link.closes).toBe(1);
  });

  it("waits longer while the hub is heard from on it (output ahead of the receipt)", () => {
    const { socket, link, hear } = fakeSocket();
    const sentAt = Date.now();
    const watch = new LinkWatch(() => sentAt);
    watch.sent(socket);
    vi.advanceTimersByTime(3_000);
    hear();
    vi.advanceTimersByTime(LINK_SILENT_MS - 1);
    expect(link.closes).toBe(0);
    vi.advanceTimersByTime(2);
    expect(link.closes).toBe(1);
  });

  it("leaves the connection open once the receipt came", () => {
    const { socket, link } = fakeSocket();
    let sentAt: number | undefined = Date.now();
    const watch = new LinkWatch(() => sentAt);
    watch.sent(socket);
    vi.advanceTimersByTime(1_000);
    sentAt = undefined;
    vi.advanceTimersByTime(60_000);
    expect(link.closes).toBe(0);
  });

  it("stops listening on a connection once inputs go over a newer one, and never closes it", () => {
    const old = fakeSocket();
    const fresh = fakeSocket();
    const sentAt = Date.now();
    const watch = new LinkWatch(() => sentAt);
    watch.sent(old.socket);
    expect(old.link.listening()).toBe(2);
    vi.advanceTimersByTime(1_000);
    watch.sent(fresh.socket);
    expect(old.link.listening()).toBe(0);
    vi.advanceTimersByTime(60_000);
    expect(old.link.closes).toBe(0);
    expect(fresh.link.closes).toBe(1);
  });

  it("does not close a connection whose look was already due when inputs moved to a newer one", () => {
    const old = fakeSocket();
    const fresh = fakeSocket();
    const sentAt = Date.now();
    const watch = new LinkWatch(() => sentAt);
    watch.sent(old.socket);
    // The timer has fired; its look waits for the I/O already queued, and meanwhile the client
    // reconnected and sent over the new connection.
    vi.advanceTimersByTime(LINK_SILENT_MS);
    watch.sent(fresh.socket);
    vi.advanceTimersByTime(1);
    expect(old.link.closes).toBe(0);
  });
});
