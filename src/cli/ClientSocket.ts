/**
 * A client of the hub's WebSocket protocol (`protocol/client.ts`) for Node: the CLI, tests,
 * benchmarks and any later terminal UI.
 *
 * - `ClientSocket.connect()` opens `/ws` with `Authorization: Bearer KEY` (or, with `prove` or
 *   `proofKey`, a proof of the key or token that only the hub can answer:
 *   `platform/keyProof.ts`), sends `hello` and
 *   resolves once the hub answers `welcome`.
 * - `request()` sends a message with a fresh `ref` and resolves with the hub's reply of the
 *   same `ref` (`welcome`, `sessions`, `attached`, `detached`, `result`, `pong`); an `error`
 *   reply rejects with a `DispatchError`. Typed helpers (`list`, `create`, `attach`...) wrap it.
 * - `send()` is fire-and-forget (keystrokes: no reply, no round trip).
 * - `onMessage` sees every JSON message (replies included), `onOutput` every decoded binary
 *   output frame, `onClose` the end of the connection. Listeners run in arrival order, and
 *   before the promise of the reply they follow settles: register them before `attach` so no
 *   replayed event is missed.
 */
import WebSocket from "ws";
import type { z } from "zod";
import { DispatchError, isErrorCode } from "../core/errors.js";
import { CLIENT_PROTOCOL_VERSION } from "../core/version.js";
import type { ProofKey } from "../platform/keyProof.js";
import type { ClientMessage } from "../protocol/client.js";
import { ServerMessage } from "../protocol/client.js";
import { decodeOutputFrame, type OutputFrame } from "../protocol/frames.js";
import { type CreateSessionRequest, SessionInfo } from "../protocol/session.js";
import type { KillSignal } from "../protocol/signals.js";
import { dialHub } from "./dialHub.js";

export { UnprovenHubError, webSocketUrl } from "./dialHub.js";

/** Connecting and the hello exchange normally take milliseconds; a loaded CI box, seconds. */
const DEFAULT_CONNECT_TIMEOUT_MS = 10_000;
/** How long `close()` waits for the closing handshake before dropping the socket. */
const CLOSE_TIMEOUT_MS = 1_000;

type ClientInput = z.input<typeof ClientMessage>;
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A client message without `ref`: `request()` and `send()` add it where needed. */
export type OutgoingMessage = DistributiveOmit<ClientInput, "ref">;

export interface ClientSocketOptions {
  /** The hub's base URL (`http://127.0.0.1:7777`) or the full WebSocket URL (`ws://…/ws`). */
  url: string;
  /** Access key, sent as a bearer token at the upgrade. Without it the hub answers `unauthorized`. */
  key?: string;
  /**
   * Prove the key at the upgrade instead of sending it, and open only when the server proves
   * it holds the key too (else `UnprovenHubError`): for an address that may be anyone's.
   */
  prove?: boolean;
  /** Prove with this instead (a token's proof key, `tokenProofKey`): `key` is then not needed. */
  proofKey?: ProofKey;
  /** Client name reported in `hello` (shows in the hub's logs). */
  client?: string;
  /** Bound on connecting plus hello; default 10 s. */
  timeoutMs?: number;
}

export interface CloseInfo {
  code: number;
  reason: string;
}

interface Pending {
  resolve: (message: ServerMessage) => void;
  reject: (err: DispatchError) => void;
}

export class ClientSocket {
  private nextRef = 1;
  private readonly pending = new Map<number, Pending>();
  private readonly messageListeners = new Set<(message: ServerMessage) => void>();
  private readonly outputListeners = new Set<(frame: OutputFrame) => void>();
  private readonly closeListeners = new Set<(info: CloseInfo) => void>();
  private closeInfo: CloseInfo | undefined;
  /** Settles when the connection has ended, for whatever reason. */
  readonly closed: Promise<CloseInfo>;

  private constructor(private readonly ws: WebSocket) {
    this.closed = new Promise((resolve) => this.closeListeners.add(resolve));
    ws.on("message", (data, isBinary) => this.receive(data as Buffer, isBinary));
    ws.on("close", (code, reason) => this.ended({ code, reason: reason.toString("utf8") }));
    // Errors after the handshake end in `close`, which settles everything pending.
    ws.on("error", () => undefined);
  }

  /** Opens the socket and completes `hello`. Rejects with a `DispatchError` on any failure. */
  static async connect(options: ClientSocketOptions): Promise<ClientSocket> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_CONNECT_TIMEOUT_MS;
    const ws = await dialHub(options.url, {
      key: options.key,
      prove: options.prove,
      proofKey: options.proofKey,
      timeoutMs,
    });
    const socket = new ClientSocket(ws);
    const timer = setTimeout(() => ws.terminate(), timeoutMs);
    try {
      await socket.request({
        type: "hello",
        protocol: CLIENT_PROTOCOL_VERSION,
        client: options.client ?? "dispatch-cli",
      });
    } catch (err) {
      ws.terminate();
      throw err;
    } finally {
      clearTimeout(timer);
    }
    return socket;
  }

  /** Whether the connection is open. */
  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  /** Sends without waiting for a reply. Dropped silently when the socket has closed. */
  send(message: OutgoingMessage): void {
    if (this.isOpen) this.ws.send(JSON.stringify(message));
  }

  /** Sends with a fresh `ref` and resolves with the hub's reply to it. */
  request(message: OutgoingMessage): Promise<ServerMessage> {
    if (!this.isOpen) return Promise.reject(closedError(this.closeInfo));
    const ref = this.nextRef++;
    return new Promise((resolve, reject) => {
      this.pending.set(ref, { resolve, reject });
      this.ws.send(JSON.stringify({ ...message, ref }));
    });
  }

  async list(): Promise<SessionInfo[]> {
    const reply = await this.request({ type: "list" });
    if (reply.type !== "sessions") throw unexpected(reply);
    return reply.sessions;
  }

  async create(session: CreateSessionRequest): Promise<SessionInfo> {
    return sessionOf(await this.request({ type: "create", session }));
  }

  /**
   * Attaches to a session: events after `afterSeq` (default 0: everything stored), then live.
   * Register `onOutput`/`onMessage` first; replayed events may arrive before this resolves.
   * With `coalesce`, replayed output may come joined: a frame's seq is then its last event's.
   */
  async attach(
    session: string,
    options: { afterSeq?: number; snapshot?: boolean; coalesce?: boolean; cols?: number; rows?: number } = {},
  ): Promise<SessionInfo> {
    const reply = await this.request({ type: "attach", session, ...options });
    if (reply.type !== "attached") throw unexpected(reply);
    return reply.session;
  }

  async detach(session: string): Promise<void> {
    await this.request({ type: "detach", session });
  }

  /** Keystrokes or text for a session's terminal; fire-and-forget, like typing. */
  input(session: string, data: string): void {
    this.send({ type: "input", session, data });
  }

  resize(session: string, cols: number, rows: number): void {
    this.send({ type: "resize", session, cols, rows });
  }

  async rename(session: string, name: string): Promise<SessionInfo> {
    return sessionOf(await this.request({ type: "rename", session, name }));
  }

  async kill(session: string, signal?: KillSignal): Promise<SessionInfo> {
    return sessionOf(await this.request({ type: "kill", session, ...(signal ? { signal } : {}) }));
  }

  /** Round trip to the hub in milliseconds. */
  async ping(): Promise<number> {
    const start = performance.now();
    await this.request({ type: "ping" });
    return performance.now() - start;
  }

  /** Every JSON message from the hub. Returns a function that removes the listener. */
  onMessage(listener: (message: ServerMessage) => void): () => void {
    this.messageListeners.add(listener);
    return () => this.messageListeners.delete(listener);
  }

  /** Every output frame (any attached session: compare `frame.session` with the session id). */
  onOutput(listener: (frame: OutputFrame) => void): () => void {
    this.outputListeners.add(listener);
    return () => this.outputListeners.delete(listener);
  }

  /** The end of the connection; called at once if it has already ended. */
  onClose(listener: (info: CloseInfo) => void): () => void {
    if (this.closeInfo) {
      listener(this.closeInfo);
      return () => undefined;
    }
    this.closeListeners.add(listener);
    return () => this.closeListeners.delete(listener);
  }

  /** Closes the connection; resolves once it has ended (bounded). */
  async close(): Promise<void> {
    if (this.closeInfo) return;
    if (this.ws.readyState === WebSocket.CONNECTING || this.ws.readyState === WebSocket.OPEN)
      this.ws.close(1000);
    const timer = setTimeout(() => this.ws.terminate(), CLOSE_TIMEOUT_MS);
    await this.closed;
    clearTimeout(timer);
  }

  private receive(data: Buffer, isBinary: boolean): void {
    if (isBinary) {
      const frame = decodeOutputFrame(data);
      // A frame this client cannot read is dropped: the next reconnect replays from its seq.
      if (frame) for (const listener of this.outputListeners) listener(frame);
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(data.toString("utf8"));
    } catch {
      // The hub only sends JSON text; anything else is ignored rather than ending the session.
      return;
    }
    const message = bareReceipt(json) ?? parsedMessage(json);
    // An unknown message type from a newer hub is skipped; the protocol version guards the rest.
    if (!message) return;
    for (const listener of this.messageListeners) listener(message);
    if ("ref" in message && typeof message.ref === "number") {
      const pending = this.pending.get(message.ref);
      if (pending) {
        this.pending.delete(message.ref);
        if (message.type === "error") pending.reject(toError(message.code, message.message));
        else pending.resolve(message);
      }
    }
  }

  private ended(info: CloseInfo): void {
    this.closeInfo = info;
    const error = closedError(info);
    for (const pending of this.pending.values()) pending.reject(error);
    this.pending.clear();
    for (const listener of this.closeListeners) listener(info);
    this.closeListeners.clear();
  }
}

/**
 * The hub's receipt of a request with nothing to return (`{"type":"result","ref":7}`): the one
 * JSON message of every key typed. Taken as it is: zod's parse of it allocated ~1 KB per key,
 * an eighth of the attached client's garbage per key (docs/BENCHMARKS.md, "The attach client's
 * garbage"). Anything with more in it goes through the schema.
 */
export function bareReceipt(json: unknown): ServerMessage | undefined {
  if (typeof json !== "object" || json === null) return undefined;
  const { type, ref } = json as { type?: unknown; ref?: unknown };
  if (type !== "result" || !Number.isInteger(ref)) return undefined;
  let fields = 0;
  for (const _ in json) fields++;
  return fields === 2 ? { type: "result", ref: ref as number } : undefined;
}

function parsedMessage(json: unknown): ServerMessage | undefined {
  const parsed = ServerMessage.safeParse(json);
  return parsed.success ? parsed.data : undefined;
}

function toError(code: string, message: string): DispatchError {
  return new DispatchError(isErrorCode(code) ? code : "internal", message);
}

function closedError(info: CloseInfo | undefined): DispatchError {
  if (info?.code === 4401) return new DispatchError("unauthorized", "the hub refused the access key");
  if (info?.code === 4429)
    return new DispatchError("rate_limited", "too many failed logins; wait a minute and try again");
  const why = info?.reason ? `: ${info.reason}` : "";
  return new DispatchError("host_unavailable", `the connection to the hub closed${why}`);
}

function sessionOf(reply: ServerMessage): SessionInfo {
  if (reply.type === "result" && reply.data && typeof reply.data === "object" && "session" in reply.data) {
    return SessionInfo.parse(reply.data.session);
  }
  throw unexpected(reply);
}

function unexpected(reply: ServerMessage): DispatchError {
  return new DispatchError("internal", `unexpected reply '${reply.type}' from the hub`);
}
