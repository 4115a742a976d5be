/**
 * Unit tests for how the page finds a link to the hub dead that never closed (no browser
 * needed): the keepalive's pings and its limit, and a watched request's reply, each on the
 * watches' own (fake) clock. The page recovering from such a link is `reconnect.test.ts`.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { LINK_SILENT_MS as REPLY_TIMEOUT_MS } from "../../src/core/linkSilence.js";
import { LinkLiveness } from "../../web/src/lib/link-liveness.js";

/** `WebSocket.OPEN`: Node 20 has no WebSocket of its own. */
const OPEN = 1;

/** A socket that keeps what was sent over it. */
function fakeSocket(): WebSocket & { sent: string[] } {
  const sent: string[] = [];
  return { readyState: OPEN, sent, send: (data: string) => sent.push(data) } as unknown as WebSocket & {
    sent: string[];
  };
}

/** A `LinkLiveness` over one socket, with the watched request the test says is waiting. */
function liveness() {
  const socket = fakeSocket();
  const found: string[] = [];
  const state = { watchedSince: undefined as number | undefined, current: true };
  const watch = new LinkLiveness({
    oldestWatched: () => state.watchedSince,
    isCurrent: () => state.current,
    dead: (_socket, reason) => found.push(reason),
  });
  return { socket, found, state, watch };
}

describe("LinkLiveness", () => {
  beforeEach(() => {
    vi.useFakeTimers({ now: 1_700_000_000_000 });
    vi.stubGlobal("WebSocket", { OPEN });
  });
  afterEach(() => {
    vi.unstubAllGlobals();
    vi.useRealTimers();
  });

  it("pings every 10 s, and finds the link dead once nothing was heard for over 30 s", () => {
    const { socket, found, watch } = liveness();
    watch.heard();
    watch.keepAlive(socket);
    vi.advanceTimersByTime(20_000);
    expect(socket.sent).toEqual([JSON.stringify({ type: "ping" }), JSON.stringify({ type: "ping" })]);
    expect(found).toEqual([]);
    // The hub answers: alive for another 30 s from here.
    watch.heard();
    vi.advanceTimersByTime(30_000);
    expect(found).toEqual([]);
    vi.advanceTimersByTime(10_000);
    expect(found).toEqual(["keepalive timeout"]);
    watch.stop();
  });

  it("finds the link dead when a watched request goes unanswered with nothing heard", () => {
    const { socket, found, state, watch } = liveness();
    watch.heard();
    state.watchedSince = Date.now();
    watch.awaitReply(socket);
    vi.advanceTimersByTime(REPLY_TIMEOUT_MS - 1);
    expect(found).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(found).toEqual(["no reply"]);
  });

  it("waits longer while the hub is heard from (output streaming ahead of the reply)", () => {
    const { socket, found, state, watch } = liveness();
    state.watchedSince = Date.now();
    watch.awaitReply(socket);
    vi.advanceTimersByTime(3_000);
    watch.heard();
    vi.advanceTimersByTime(REPLY_TIMEOUT_MS - 1);
    expect(found).toEqual([]);
    vi.advanceTimersByTime(3_000);
    expect(found).toEqual(["no reply"]);
  });

  it("finds nothing once the reply came, nor on a link that is no longer the page's", () => {
    const answered = liveness();
    answered.state.watchedSince = Date.now();
    answered.watch.awaitReply(answered.socket);
    answered.state.watchedSince = undefined;
    vi.advanceTimersByTime(60_000);
    expect(answered.found).toEqual([]);

    const replaced = liveness();
    replaced.state.watchedSince = Date.now();
    replaced.watch.awaitReply(replaced.socket);
    replaced.state.current = false;
    vi.advanceTimersByTime(60_000);
    expect(replaced.found).toEqual([]);
  });

  it("stops watching when stopped: a link closed on purpose is not found dead later", () => {
    const { socket, found, state, watch } = liveness();
    watch.heard();
    watch.keepAlive(socket);
    state.watchedSince = Date.now();
    watch.awaitReply(socket);
    watch.stop();
    vi.advanceTimersByTime(120_000);
    expect(found).toEqual([]);
    expect(socket.sent).toEqual([]);
  });
});
