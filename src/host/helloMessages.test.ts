import { describe, expect, it } from "vitest";
import { HostMessage, type HostSessionState, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import { encodeHello, type Hello } from "./helloMessages.js";

const MIB = 1024 * 1024;

const host = {
  id: "h",
  name: "h",
  hostname: "box",
  os: "linux",
  arch: "x64",
  version: "0.1.0",
  pid: 1,
  capabilities: ["terminal"],
  labels: {},
};

function session(id: string, extra: Partial<HostSessionState> = {}): HostSessionState {
  return {
    id,
    kind: "terminal",
    pid: 10,
    running: true,
    exitCode: null,
    lastSeq: 3,
    cols: 80,
    rows: 24,
    foreground: null,
    capabilities: [],
    name: `s-${id}`,
    command: ["sh"],
    cwd: "/tmp",
    ...extra,
  };
}

/** What a hub makes of the messages: each parsed as it would be, the parts' sessions first. */
function received(wires: string[]): { types: string[]; sessions: HostSessionState[] } {
  const types: string[] = [];
  const sessions: HostSessionState[] = [];
  for (const wire of wires) {
    expect(Buffer.byteLength(wire)).toBeLessThanOrEqual(MAX_HOST_MESSAGE_BYTES);
    const message = HostMessage.parse(JSON.parse(wire));
    types.push(message.type);
    if (message.type === "hello" || message.type === "hello-part") sessions.push(...message.sessions);
  }
  return { types, sessions };
}

const hello = (sessions: HostSessionState[]): Hello => ({ protocol: 4, host, sessions });

describe("encodeHello", () => {
  it("sends a hello that fits as one message, as before", () => {
    const sessions = [session("a"), session("b", { kindOptions: { prompt: "hi" } })];
    const encoded = encodeHello(hello(sessions));
    expect(encoded.wires).toEqual([JSON.stringify({ type: "hello", protocol: 4, host, sessions })]);
    expect(encoded.trimmed).toEqual([]);
  });

  it("sends the sessions of a hello too large for one message in parts, every one of them whole", () => {
    const sessions = Array.from({ length: 6 }, (_, i) =>
      session(`s${i}`, { kindOptions: { prompt: "p".repeat(1.5 * MIB) } }),
    );
    const encoded = encodeHello(hello(sessions));
    const { types, sessions: got } = received(encoded.wires);
    expect(types).toEqual(["hello-part", "hello-part", "hello"]);
    // As JSON: a deep comparison of megabytes of strings takes seconds.
    expect(JSON.stringify(got) === JSON.stringify(sessions)).toBe(true);
    expect(encoded.trimmed).toEqual([]);
  });

  it("leaves out the kind options of a session too large for a message of its own, saying so", () => {
    const big = session("big", { kindOptions: { prompt: "é".repeat(4.5 * MIB) } });
    const sessions = [session("a"), big, session("c", { kindOptions: { prompt: "fine" } })];
    const encoded = encodeHello(hello(sessions));
    const { sessions: got } = received(encoded.wires);
    const { kindOptions: _dropped, ...withoutOptions } = big;
    expect(got).toEqual([sessions[0], withoutOptions, sessions[2]]); // small: no options
    expect(encoded.trimmed).toEqual([
      {
        id: "big",
        problem: expect.stringMatching(
          /^session big \('s-big'\) is 9\.0 MiB in the host's hello, more than the 8\.0 MiB one message from a host to the hub may hold, so the hello leaves out its kind options; the hub keeps the session/,
        ),
      },
    ]);
  });

  it("keeps a session whose command alone is too large, with what the hub needs to keep it", () => {
    const huge = session("huge", { command: ["sh", "-c", "x".repeat(9 * MIB)], kindOptions: { a: 1 } });
    const encoded = encodeHello(hello([huge, session("b")]));
    const { sessions: got } = received(encoded.wires);
    expect(got.map((s) => s.id)).toEqual(["huge", "b"]);
    expect(got[0]).toEqual({
      id: "huge",
      kind: "terminal",
      pid: 10,
      running: true,
      exitCode: null,
      lastSeq: 3,
      cols: 80,
      rows: 24,
      foreground: null,
      capabilities: [],
    });
    expect(encoded.trimmed[0]?.problem).toMatch(
      /leaves out its kind options, name, command, cwd and project/,
    );
  });
});
