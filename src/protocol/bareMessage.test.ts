/** The per-key messages taken without their schema: exactly when, and as, the schema takes them. */
import { describe, expect, it } from "vitest";
import {
  type BareShape,
  bareMessage,
  CLIENT_INPUT,
  HOST_ACK,
  HOST_INPUT,
  MAX_CLIENT_INPUT,
} from "./bareMessage.js";
import { ClientMessage, MAX_CLIENT_MESSAGE_BYTES } from "./client.js";
import { HubToHostMessage } from "./host.js";

const id = { stream: "stream-0001", seq: 7 };

/** Samples around each field's limits; each is taken bare only if the schema takes it unchanged. */
const CLIENT_SAMPLES: unknown[] = [
  { type: "input", session: "echo", data: "a" },
  { type: "input", ref: 3, session: "echo", data: "a", id },
  { type: "input", ref: "r".repeat(64), session: "s".repeat(64), data: "" },
  { type: "input", ref: "r".repeat(65), session: "echo", data: "a" },
  { type: "input", ref: 1.5, session: "echo", data: "a" },
  { type: "input", ref: 2 ** 60, session: "echo", data: "a" },
  { type: "input", ref: null, session: "echo", data: "a" },
  { type: "input", session: "", data: "a" },
  { type: "input", session: "s".repeat(65), data: "a" },
  { type: "input", session: "echo", data: "x".repeat(MAX_CLIENT_INPUT) },
  { type: "input", session: "echo", data: "x".repeat(MAX_CLIENT_INPUT + 1) },
  { type: "input", session: "echo", data: 5 },
  { type: "input", session: "echo" },
  { type: "input", session: "echo", data: "a", extra: 1 },
  { type: "input", session: "echo", data: "a", id: { stream: "short", seq: 1 } },
  { type: "input", session: "echo", data: "a", id: { stream: "stream-0001", seq: 0 } },
  { type: "input", session: "echo", data: "a", id: { ...id, more: true } },
  { type: "input", session: "echo", data: "a", id: null },
  { type: "resize", session: "echo", cols: 80, rows: 24 },
  JSON.parse('{"type":"input","session":"echo","data":"a","__proto__":{"x":1}}'),
  [],
  null,
  "input",
];

const HOST_SAMPLES: unknown[] = [
  { type: "input", session: "s1", data: "a" },
  { type: "input", session: "s1", data: "a", by: "p1", id },
  { type: "input", session: "s1", data: "a", by: 3 },
  { type: "input", session: "s1", data: "a", ref: 1 },
  { type: "input", session: "s1", data: "a", id: { ...id, seq: -1 } },
  { type: "ack", session: "s1", seq: 0 },
  { type: "ack", session: "s1", seq: 12 },
  { type: "ack", session: "s1", seq: -1 },
  { type: "ack", session: "s1", seq: 1.5 },
  { type: "ack", session: "s1" },
  { type: "ack", session: "s1", seq: 1, more: 1 },
  { type: "sync", sessions: {} },
];

function compare(
  samples: unknown[],
  shapes: BareShape[],
  schema: typeof ClientMessage | typeof HubToHostMessage,
) {
  for (const sample of samples) {
    const bare = shapes.map((shape) => bareMessage(sample, shape)).find((taken) => taken !== undefined);
    const parsed = schema.safeParse(sample);
    if (bare === undefined) continue;
    // Taken bare: the schema takes it too, as it is (no field dropped, defaulted or changed).
    expect(parsed.success, JSON.stringify(sample)?.slice(0, 200)).toBe(true);
    expect(bare).toStrictEqual(parsed.data);
  }
}

describe("bare per-key messages", () => {
  it("takes a client's input only when ClientMessage takes it unchanged", () => {
    compare(CLIENT_SAMPLES, [CLIENT_INPUT], ClientMessage);
    expect(MAX_CLIENT_INPUT).toBe(MAX_CLIENT_MESSAGE_BYTES);
  });

  it("takes the hub's input and ack only when HubToHostMessage takes them unchanged", () => {
    compare(HOST_SAMPLES, [HOST_INPUT, HOST_ACK], HubToHostMessage);
  });

  it("takes the usual keys bare and leaves the rest to the schema", () => {
    const taken = (samples: unknown[], shapes: BareShape[]) =>
      samples.filter((sample) => shapes.some((shape) => bareMessage(sample, shape) !== undefined)).length;
    expect(taken(CLIENT_SAMPLES, [CLIENT_INPUT])).toBe(4);
    expect(taken(HOST_SAMPLES, [HOST_INPUT, HOST_ACK])).toBe(4);
  });
});
