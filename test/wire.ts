/**
 * A raw client-protocol connection for tests that check the wire itself: every JSON message
 * and every decoded output frame is recorded in arrival order.
 */
import { StringDecoder } from "node:string_decoder";
import WebSocket from "ws";
import { decodeOutputFrame } from "../src/protocol/frames.js";

export type StreamItem =
  | { kind: "snapshot"; seq: number; data: string }
  | { kind: "output"; seq: number; data: Uint8Array };

export interface Received {
  json: Record<string, unknown>[];
  /** Snapshots and output, in arrival order, per session. */
  stream: Map<string, StreamItem[]>;
  /** Output frames and JSON events of attached sessions, in arrival order. */
  events: { session: string; seq: number; type: string; data: Uint8Array | Record<string, unknown> }[];
}

export class WireClient {
  readonly received: Received = { json: [], events: [], stream: new Map() };
  /**
   * Each session's output decoded as it arrives, piece by piece: `waitForOutput` searches only
   * what came since its last look. Concatenating and decoding all of it at every look (every
   * 20 ms) cost seconds of CPU on a stream of megabytes.
   */
  private readonly decoded = new Map<string, { decoder: StringDecoder; pieces: string[] }>();
  private nextRef = 1;
  /** The code the hub closed the socket with, once it has. */
  closeCode: number | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on("close", (code) => {
      this.closeCode = code;
    });
    socket.on("message", (raw, isBinary) => {
      if (isBinary) {
        const frame = decodeOutputFrame(new Uint8Array(raw as Buffer));
        if (frame) {
          this.received.events.push({
            session: frame.session,
            seq: frame.seq,
            type: "output",
            data: frame.data,
          });
          this.streamOf(frame.session).push({ kind: "output", seq: frame.seq, data: frame.data });
          const text = this.decodedOf(frame.session);
          text.pieces.push(text.decoder.write(Buffer.from(frame.data)));
        }
        return;
      }
      const message = JSON.parse(raw.toString()) as Record<string, unknown>;
      this.received.json.push(message);
      if (message.type === "snapshot") {
        const session = message.session as string;
        this.streamOf(session).push({
          kind: "snapshot",
          seq: message.seq as number,
          data: message.data as string,
        });
      }
      if (message.type === "event") {
        const event = message.event as {
          session: string;
          seq: number;
          type: string;
          data: Record<string, unknown>;
        };
        this.received.events.push(event);
      }
    });
  }

  static open(url: string, headers: Record<string, string> = {}): Promise<WireClient> {
    const socket = new WebSocket(url.replace(/^http/, "ws") + "/ws", { headers });
    return new Promise((resolve, reject) => {
      socket.once("open", () => resolve(new WireClient(socket)));
      socket.once("error", reject);
      socket.once("unexpected-response", (_req, res) =>
        reject(new Error(`upgrade refused: HTTP ${res.statusCode}`)),
      );
    });
  }

  stream(session: string): StreamItem[] {
    return this.streamOf(session);
  }

  private streamOf(session: string): StreamItem[] {
    let list = this.received.stream.get(session);
    if (!list) {
      list = [];
      this.received.stream.set(session, list);
    }
    return list;
  }

  send(message: Record<string, unknown> | string): void {
    this.socket.send(typeof message === "string" ? message : JSON.stringify(message));
  }

  /** Sends a request with a fresh ref and resolves with the reply carrying that ref. */
  async request(message: Record<string, unknown>, timeoutMs = 10_000): Promise<Record<string, unknown>> {
    const ref = this.nextRef++;
    this.send({ ...message, ref });
    return this.waitFor((m) => m.ref === ref, timeoutMs);
  }

  waitFor(
    match: (message: Record<string, unknown>) => boolean,
    timeoutMs = 10_000,
  ): Promise<Record<string, unknown>> {
    return poll(() => this.received.json.find(match), timeoutMs, "message");
  }

  /** All output of a session received so far, as text. */
  output(session: string): string {
    return Buffer.concat(
      this.received.events
        .filter((e) => e.session === session && e.type === "output")
        .map((e) => Buffer.from(e.data as Uint8Array)),
    ).toString("utf8");
  }

  seqs(session: string): number[] {
    return this.received.events.filter((e) => e.session === session).map((e) => e.seq);
  }

  async waitForOutput(session: string, text: string, timeoutMs = 10_000): Promise<void> {
    const { pieces } = this.decodedOf(session);
    // What is new since the last look, after the end of what was searched before (in case
    // `text` began there).
    let next = 0;
    let carry = "";
    await poll(
      () => {
        if (next === pieces.length && next > 0) return undefined;
        const fresh = carry + pieces.slice(next).join("");
        next = pieces.length;
        if (fresh.includes(text)) return true;
        carry = text.length > 1 ? fresh.slice(1 - text.length) : "";
        return undefined;
      },
      timeoutMs,
      `output '${text}'`,
    );
  }

  private decodedOf(session: string): { decoder: StringDecoder; pieces: string[] } {
    let text = this.decoded.get(session);
    if (!text) {
      text = { decoder: new StringDecoder("utf8"), pieces: [] };
      this.decoded.set(session, text);
    }
    return text;
  }

  close(): Promise<void> {
    if (this.socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once("close", () => resolve());
      this.socket.close();
    });
  }

  get closed(): boolean {
    return this.socket.readyState === WebSocket.CLOSED || this.socket.readyState === WebSocket.CLOSING;
  }
}

/**
 * A client of `hub` with its key, past the hello; put in `open` for the test to close
 * (`close()` each one after the test).
 */
export async function helloClient(
  hub: { url: string; key: string },
  open: WireClient[],
): Promise<WireClient> {
  const c = await WireClient.open(hub.url, { authorization: `Bearer ${hub.key}` });
  open.push(c);
  await c.request({ type: "hello", protocol: 1 });
  return c;
}

export async function poll<T>(get: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = get();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
