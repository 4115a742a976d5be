import { afterEach, describe, expect, it } from "vitest";
import {
  HubOutbox,
  INTERACTIVE_LINK_WINDOW_BYTES,
  LINK_WINDOW_BYTES,
  type OutboxSocket,
} from "./HubOutbox.js";

/** A socket that writes at once and records what the hub would receive, in order. */
class RecordingSocket implements OutboxSocket {
  readonly received: string[] = [];
  send(wire: Uint8Array | string, onWritten: () => void): void {
    this.received.push(
      typeof wire === "string" ? wire : new TextDecoder().decode(wire.subarray(0, 16)).trim(),
    );
    onWritten();
  }
}

const CHUNK_BYTES = 32 * 1024;
/** An output event of `session` as the wire carries it: its label first, padded to a chunk. */
const bulk = (session: string, seq: number) => ({
  seq,
  wire: new TextEncoder().encode(`${session}:${seq}`.padEnd(CHUNK_BYTES, " ")),
});
const small = (session: string, seq: number) => ({ seq, wire: `${session}:${seq}` });

describe("HubOutbox", () => {
  let outbox: HubOutbox | undefined;
  afterEach(() => outbox?.close());

  it("sends a typing session's echo ahead of a flood the hub has not acknowledged", () => {
    const socket = new RecordingSocket();
    outbox = new HubOutbox(socket);
    const floodEvents = (2 * LINK_WINDOW_BYTES) / CHUNK_BYTES;
    for (let seq = 1; seq <= floodEvents; seq++) outbox.event("flood", bulk("flood", seq));
    // Only a window's worth of the flood is on its way to the hub; the rest waits for acks.
    expect(socket.received).toHaveLength(LINK_WINDOW_BYTES / CHUNK_BYTES);
    outbox.input("echo");
    outbox.event("echo", small("echo", 1));
    expect(socket.received.at(-1)).toBe("echo:1");
    // The hub stores the first events: the flood goes on, now within the smaller window kept
    // while someone types, and never overtakes itself.
    outbox.ack("flood", LINK_WINDOW_BYTES / CHUNK_BYTES);
    const flood = socket.received.filter((wire) => wire.startsWith("flood:"));
    expect(flood.length).toBe((LINK_WINDOW_BYTES + INTERACTIVE_LINK_WINDOW_BYTES) / CHUNK_BYTES);
    expect(flood).toEqual(flood.map((_, i) => `flood:${i + 1}`));
    expect(outbox.unacknowledgedBytes).toBeLessThanOrEqual(INTERACTIVE_LINK_WINDOW_BYTES + 64);
  });

  it("sends every event after a resync, in order, as the acks come", () => {
    const socket = new RecordingSocket();
    outbox = new HubOutbox(socket);
    const count = (3 * LINK_WINDOW_BYTES) / CHUNK_BYTES;
    for (let seq = 1; seq <= count; seq++) outbox.event("flood", bulk("flood", seq));
    const sentBefore = socket.received.length;
    // The hub asks for a resend (`sync`): what it did not acknowledge no longer counts.
    outbox.resync();
    outbox.event("flood", bulk("flood", count + 1));
    expect(socket.received.length).toBeGreaterThan(sentBefore);
    for (let acked = 0; socket.received.length < count + 1 && acked < count; ) {
      acked = Number(socket.received.at(-1)?.split(":")[1]);
      outbox.ack("flood", acked);
    }
    expect(socket.received).toEqual(Array.from({ length: count + 1 }, (_, i) => `flood:${i + 1}`));
  });

  it("answers control messages at once, whatever the window holds", () => {
    const socket = new RecordingSocket();
    outbox = new HubOutbox(socket);
    for (let seq = 1; seq <= (2 * LINK_WINDOW_BYTES) / CHUNK_BYTES; seq++)
      outbox.event("flood", bulk("flood", seq));
    outbox.control('{"type":"pong"}');
    expect(socket.received.at(-1)).toBe('{"type":"pong"}');
  });

  it("sends a reply after its session's earlier events, ahead of other sessions' bulk", () => {
    const socket = new RecordingSocket();
    outbox = new HubOutbox(socket);
    const windowEvents = LINK_WINDOW_BYTES / CHUNK_BYTES;
    for (let seq = 1; seq <= 2 * windowEvents; seq++) outbox.event("flood", bulk("flood", seq));
    // The window is full: the edit's events wait behind it, and so must its answer.
    outbox.event("editor", small("editor", 1));
    outbox.event("editor", small("editor", 2));
    outbox.reply("editor", '{"type":"reply","ref":7}');
    expect(socket.received.slice(windowEvents)).toEqual(["editor:1", "editor:2", '{"type":"reply","ref":7}']);
    // A reply about a session with nothing queued goes at once; the flood still waits for acks.
    outbox.reply("editor", '{"type":"reply","ref":8}');
    expect(socket.received.at(-1)).toBe('{"type":"reply","ref":8}');
    expect(socket.received.filter((wire) => wire.startsWith("flood:"))).toHaveLength(windowEvents);
  });

  it("still sends a reply queued behind its session's events when the hub forgets the session", () => {
    // The OS takes nothing more for now: everything past the in-flight bound stays queued.
    const socket = new RecordingSocket();
    const stalled: OutboxSocket = { send: (wire) => socket.send(wire, () => undefined) };
    outbox = new HubOutbox(stalled);
    for (let seq = 1; seq <= LINK_WINDOW_BYTES / CHUNK_BYTES; seq++)
      outbox.event("flood", bulk("flood", seq));
    outbox.reply("flood", '{"type":"reply","ref":3}');
    expect(socket.received).not.toContain('{"type":"reply","ref":3}');
    // The hub stored the session's end: its queued events are dropped, its answer is not.
    outbox.forget("flood");
    expect(socket.received.at(-1)).toBe('{"type":"reply","ref":3}');
  });

  it("tells a flood apart from the session being typed into, for a second after the last key", () => {
    outbox = new HubOutbox(new RecordingSocket());
    const t = Date.now();
    expect(outbox.isBulkWhileTyping("flood", t)).toBe(false);
    outbox.input("echo");
    expect(outbox.isBulkWhileTyping("flood", t)).toBe(true);
    expect(outbox.isBulkWhileTyping("echo", t)).toBe(false);
    expect(outbox.isBulkWhileTyping("flood", t + 5_000)).toBe(false);
  });
});
