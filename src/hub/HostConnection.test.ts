import { EventEmitter } from "node:events";
import pino from "pino";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { WebSocket } from "ws";
import { type HubToHostMessage, MAX_HOST_MESSAGE_BYTES } from "../protocol/host.js";
import { HostConnection } from "./HostConnection.js";

/** The hub's end of a host's socket: records what is sent, delivers what the host says. */
class FakeSocket extends EventEmitter {
  readonly OPEN = 1;
  readyState = 1;
  bufferedAmount = 0;
  readonly sent: HubToHostMessage[] = [];

  send(text: string): void {
    this.sent.push(JSON.parse(text) as HubToHostMessage);
  }
  resume(): void {}
  close(): void {
    this.readyState = 3;
  }
  terminate(): void {
    this.readyState = 3;
  }
  /** The host answers the last request it was sent. */
  reply(data: unknown): void {
    const last = this.sent[this.sent.length - 1] as { ref: number };
    this.emit(
      "message",
      Buffer.from(JSON.stringify({ type: "reply", ref: last.ref, ok: true, data })),
      false,
    );
  }
}

function connect(requestTimeoutMs?: number): { socket: FakeSocket; link: HostConnection; closed: string[] } {
  const socket = new FakeSocket();
  const closed: string[] = [];
  const link = new HostConnection(
    socket as unknown as WebSocket,
    { onHello: () => undefined, onEvent: () => undefined, onClose: (_link, reason) => closed.push(reason) },
    pino({ level: "silent" }),
    requestTimeoutMs,
  );
  return { socket, link, closed };
}

const evaluation = { type: "command", session: "s1", name: "eval", args: { code: "slow()" } } as const;

describe("HostConnection requests", () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it("gives a quick request a deadline, naming the command", async () => {
    const { link } = connect();
    const answer = link.request({ type: "command", session: "s1", name: "stats", args: {} });
    const failed = expect(answer).rejects.toThrow("did not answer the command 'stats' within 10 s");
    await vi.advanceTimersByTimeAsync(10_000);
    await failed;
  });

  it("gives up at the deadline it was given (DISPATCH_HOST_REQUEST_TIMEOUT_MS), saying it", async () => {
    const { link } = connect(3_000);
    const answer = link.request({ type: "command", session: "s1", name: "stats", args: {} });
    const failed = expect(answer).rejects.toThrow("did not answer the command 'stats' within 3 s");
    await vi.advanceTimersByTimeAsync(3_000);
    await failed;
  });

  it("waits for a long-running request as long as the host takes", async () => {
    const { socket, link } = connect();
    const answer = link.request(evaluation, { longRunning: true });
    let settled = false;
    void answer.finally(() => {
      settled = true;
    });
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(settled).toBe(false);
    socket.reply({ status: "ok" });
    await expect(answer).resolves.toEqual({ status: "ok" });
  });

  it("fails a long-running request when the link drops (a heartbeat timeout terminates it)", async () => {
    const { link, closed } = connect();
    const answer = link.request(evaluation, { longRunning: true });
    link.terminate("heartbeat timeout");
    await expect(answer).rejects.toMatchObject({
      code: "host_unavailable",
      message: "the host disconnected (heartbeat timeout)",
    });
    expect(closed).toEqual(["heartbeat timeout"]);
  });
});

describe("HostConnection closed on a message too large", () => {
  it("says why, and what to do, to whoever waits on the host", async () => {
    const { socket, link, closed } = connect();
    const answer = link.request({ type: "command", session: "s1", name: "stats", args: {} });
    const failed = expect(answer).rejects.toThrow(
      /larger than the 8\.0 MiB a host may send.*upgrade dispatch/,
    );
    socket.emit(
      "error",
      Object.assign(new RangeError("Max payload size exceeded"), {
        code: "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH",
      }),
    );
    socket.emit("close", 1006, Buffer.alloc(0));
    await failed;
    expect(closed[0]).toMatch(/^it sent a message larger than the 8\.0 MiB/);
  });
});

describe("HostConnection hello", () => {
  const host = {
    ...{ id: "h", name: "h", hostname: "box", os: "linux", arch: "x64", version: "0.1.0", pid: 1 },
    ...{ capabilities: [], labels: {} },
  };
  const state = (id: string) => ({
    ...{ id, kind: "terminal", pid: 1, running: true, exitCode: null, lastSeq: 0 },
    ...{ cols: 80, rows: 24, foreground: null, capabilities: [] },
  });

  it("takes the sessions of a hello's parts, in order, as the hello's; a part after the hello drops the link", () => {
    const socket = new FakeSocket();
    const hellos: string[][] = [];
    const closed: string[] = [];
    new HostConnection(
      socket as unknown as WebSocket,
      {
        onHello: (_link, _host, sessions) => hellos.push(sessions.map((s) => s.id)),
        onEvent: () => undefined,
        onClose: (_link, reason) => closed.push(reason),
      },
      pino({ level: "silent" }),
    );
    const say = (message: unknown) => socket.emit("message", Buffer.from(JSON.stringify(message)), false);
    say({ type: "hello-part", sessions: [state("a"), state("b")] });
    say({ type: "hello-part", sessions: [state("c")] });
    expect(hellos).toEqual([]);
    say({ type: "hello", protocol: 4, host, sessions: [state("d")] });
    expect(hellos).toEqual([["a", "b", "c", "d"]]);

    say({ type: "hello-part", sessions: [state("e")] });
    expect(closed).toEqual(["protocol violation: sent part of a hello after its hello"]);
  });

  it("drops a host that sends hello parts without end", () => {
    const socket = new FakeSocket();
    const closed: string[] = [];
    new HostConnection(
      socket as unknown as WebSocket,
      { onHello: () => undefined, onEvent: () => undefined, onClose: (_link, reason) => closed.push(reason) },
      pino({ level: "silent" }),
    );
    // A part padded to 8 MiB with JSON's own whitespace: 16 such are allowed, not 17.
    const json = JSON.stringify({ type: "hello-part", sessions: [state("a")] });
    const part = Buffer.from(json.padEnd(MAX_HOST_MESSAGE_BYTES, " "));
    for (let i = 0; i < 16; i++) socket.emit("message", part, false);
    expect(closed).toEqual([]);
    socket.emit("message", part, false);
    expect(closed).toEqual(["protocol violation: sent more than 128 MiB of hello parts"]);
  });
});
