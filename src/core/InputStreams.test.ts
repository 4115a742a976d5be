import { describe, expect, it } from "vitest";
import { InputStreams } from "./InputStreams.js";

const STREAM = "page-aaaaaaaa";

describe("InputStreams", () => {
  it("takes a resend at or below the last applied seq for a duplicate; other streams and senders apart", () => {
    const inputs = new InputStreams();
    expect(inputs.seen("alice", { stream: STREAM, seq: 1 })).toBe(false);
    inputs.record("alice", { stream: STREAM, seq: 1 });
    inputs.record("alice", { stream: STREAM, seq: 2 });
    expect(inputs.seen("alice", { stream: STREAM, seq: 1 })).toBe(true);
    expect(inputs.seen("alice", { stream: STREAM, seq: 2 })).toBe(true);
    expect(inputs.seen("alice", { stream: STREAM, seq: 3 })).toBe(false);
    expect(inputs.seen("alice", { stream: "page-bbbbbbbb", seq: 1 })).toBe(false);
    expect(inputs.seen("mallory", { stream: STREAM, seq: 1 })).toBe(false);
  });

  it("forgets the least recently used stream past its bound", () => {
    const inputs = new InputStreams(2);
    inputs.record("alice", { stream: "page-aaaaaaaa", seq: 1 });
    inputs.record("alice", { stream: "page-bbbbbbbb", seq: 1 });
    inputs.record("alice", { stream: "page-aaaaaaaa", seq: 2 });
    inputs.record("alice", { stream: "page-cccccccc", seq: 1 });
    expect(inputs.seen("alice", { stream: "page-aaaaaaaa", seq: 2 })).toBe(true);
    expect(inputs.seen("alice", { stream: "page-bbbbbbbb", seq: 1 })).toBe(false);
    expect(inputs.seen("alice", { stream: "page-cccccccc", seq: 1 })).toBe(true);
  });
});
