import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { HubToHostMessage } from "../protocol/host.js";
import { ACK_DELAY_MS, HostAcks } from "./HostAcks.js";
import type { HostLink } from "./HostLink.js";

/** A link that records what it was sent. */
function recordingLink(): HostLink & { sent: HubToHostMessage[]; open: boolean } {
  const link = {
    sent: [] as HubToHostMessage[],
    open: true,
    host: undefined,
    protocol: undefined,
    bufferedAmount: 0,
    get isOpen() {
      return link.open;
    },
    send(message: HubToHostMessage) {
      link.sent.push(message);
    },
    request: () => Promise.resolve(undefined),
    close: () => undefined,
    terminate: () => undefined,
    violation: () => undefined,
  };
  return link;
}

describe("HostAcks", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gathers small acknowledgements into one per session, sent a moment later", () => {
    const acks = new HostAcks();
    const link = recordingLink();
    acks.add(link, "a", 1, 10);
    acks.add(link, "a", 2, 10);
    acks.add(link, "b", 7, 10);
    vi.advanceTimersByTime(ACK_DELAY_MS - 1);
    expect(link.sent).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(link.sent).toEqual([
      { type: "ack", session: "a", seq: 2 },
      { type: "ack", session: "b", seq: 7 },
    ]);
    vi.advanceTimersByTime(1000);
    expect(link.sent).toHaveLength(2);
  });

  it("sends at once when a flood's worth is stored, so the host's window never waits", () => {
    const acks = new HostAcks();
    const link = recordingLink();
    acks.add(link, "a", 1, 1000);
    acks.add(link, "a", 2, 64 * 1024);
    expect(link.sent).toEqual([{ type: "ack", session: "a", seq: 2 }]);
  });

  it("gives an acknowledgement after one that left with an input its whole delay", () => {
    const acks = new HostAcks();
    const link = recordingLink();
    acks.add(link, "a", 1, 10);
    vi.advanceTimersByTime(ACK_DELAY_MS - 10);
    // The next keystroke's input takes it along.
    acks.send(link);
    expect(link.sent).toEqual([{ type: "ack", session: "a", seq: 1 }]);
    acks.add(link, "a", 2, 10);
    vi.advanceTimersByTime(ACK_DELAY_MS - 1);
    expect(link.sent).toHaveLength(1);
    vi.advanceTimersByTime(1);
    expect(link.sent).toEqual([
      { type: "ack", session: "a", seq: 1 },
      { type: "ack", session: "a", seq: 2 },
    ]);
  });

  it("keeps links apart, sends a link's acknowledgements on demand, and drops a closed link's", () => {
    const acks = new HostAcks();
    const one = recordingLink();
    const two = recordingLink();
    acks.add(one, "a", 3, 10);
    acks.add(two, "b", 4, 10);
    // Before a message that must follow them (a `forget` after the exit).
    acks.send(one);
    expect(one.sent).toEqual([{ type: "ack", session: "a", seq: 3 }]);
    expect(two.sent).toEqual([]);
    two.open = false;
    acks.flush();
    expect(two.sent).toEqual([]);
    expect(one.sent).toHaveLength(1);
  });
});
