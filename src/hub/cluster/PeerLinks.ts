/**
 * Host links to hosts linked to other nodes. `link(url, host)` gives a `HostLink` whose
 * messages travel to the owning node over one WebSocket per node (`/cluster/peer`, the
 * cluster's peer credential), where that node sends them on its own link and returns the
 * host's reply. The rest of the hub uses it like any link: input, resize, signals, spawns and
 * a kind's commands reach a host wherever it is linked. Messages queued while the socket
 * opens keep their order; a socket that closes fails its pending requests with
 * `host_unavailable` and is dialed again on next use. Input goes as a request
 * (`sendConfirmed`), so its client hears that error rather than an OK for a keystroke lost.
 *
 * A long-running request (an evaluation) has no deadline here either, as on the owning node
 * (`HostRequestOptions`): it fails when the peer's socket closes, or when the host's lease
 * leaves that node (`leaseMoved`: the node died, or the host's link there ended), since its
 * answer could then never come. Other requests keep `PEER_REQUEST_TIMEOUT_MS`.
 */
import type { Logger } from "pino";
import WebSocket from "ws";
import { mib } from "../../core/byteSize.js";
import { DispatchError, ERROR_CODES, type ErrorCode } from "../../core/errors.js";
import { HOST_PROTOCOL_VERSION } from "../../core/version.js";
import {
  MAX_PEER_MESSAGE_BYTES,
  PEER_ENDPOINT_PATH,
  type PeerMessage,
  PeerReply,
} from "../../protocol/cluster.js";
import { type HubToHostMessage, MAX_HOST_MESSAGE_BYTES } from "../../protocol/host.js";
import type { HostLink, HostRequest, HostRequestOptions } from "../HostLink.js";

/** How long the owning node and its host have to answer a forwarded request (not a long-running one). */
export const PEER_REQUEST_TIMEOUT_MS = 30_000;

interface Pending {
  host: string;
  resolve(data: unknown): void;
  reject(err: Error): void;
  timer: NodeJS.Timeout | undefined;
}

export interface PeerLinksOptions {
  /** The cluster's peer credential. */
  token: string;
  logger: Logger;
  /** `PEER_REQUEST_TIMEOUT_MS` unless given (a test's shorter one). */
  requestTimeoutMs?: number;
}

class PeerConnection {
  private readonly socket: WebSocket;
  private readonly queue: string[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  closed = false;

  constructor(
    readonly url: string,
    private readonly options: PeerLinksOptions,
  ) {
    const wsUrl = `${url.replace(/^http/, "ws")}${PEER_ENDPOINT_PATH}`;
    this.socket = new WebSocket(wsUrl, {
      headers: { authorization: `Bearer ${options.token}` },
      maxPayload: MAX_PEER_MESSAGE_BYTES,
    });
    this.socket.on("open", () => {
      for (const text of this.queue.splice(0)) this.socket.send(text);
    });
    this.socket.on("message", (data) => this.replied(String(data)));
    this.socket.on("error", (err) => options.logger.warn({ err, node: url }, "peer node link failed"));
    this.socket.on("close", () => this.fail(`the hub node at ${url} went away; try again shortly`));
  }

  send(message: PeerMessage): void {
    if (this.closed) throw unavailable(`the hub node at ${this.url} is not reachable`);
    const text = JSON.stringify(message);
    // The owning node would close the socket on it (1009), failing every request waiting here.
    const bytes = text.length * 3 <= MAX_PEER_MESSAGE_BYTES ? text.length : Buffer.byteLength(text);
    if (bytes > MAX_PEER_MESSAGE_BYTES) {
      throw new DispatchError(
        "too_large",
        `The '${message.message.type}' message for host '${message.host}' is ${mib(bytes)}, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one message from the hub to a host may hold, so the hub did not send it (via the hub node at ${this.url}; the host's link and sessions are unharmed); ask for less at once, or start the session anew with less (a smaller file, a shorter conversation)`,
      );
    }
    if (this.socket.readyState === WebSocket.OPEN) this.socket.send(text);
    else this.queue.push(text);
  }

  /** `message`: a host request, or a message the host does not answer (input: `sendConfirmed`). */
  request(
    host: string,
    message: HostRequest | HubToHostMessage,
    options: HostRequestOptions,
  ): Promise<unknown> {
    const id = this.nextId++;
    const longRunning = options.longRunning === true;
    const timeoutMs = this.options.requestTimeoutMs ?? PEER_REQUEST_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const timer = longRunning
        ? undefined
        : setTimeout(() => {
            this.pending.delete(id);
            reject(unavailable(`host '${host}' (via the hub node at ${this.url}) did not answer in time`));
          }, timeoutMs);
      this.pending.set(id, { host, resolve, reject, timer });
      try {
        this.send({ t: "request", id, host, message, ...(longRunning ? { longRunning } : {}) });
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(id);
        reject(err);
      }
    });
  }

  close(): void {
    this.socket.terminate();
    this.fail("hub node shutting down");
  }

  /** Fails the requests for `host` still waiting here: their answer can no longer come. */
  failHost(host: string, why: string): void {
    for (const [id, pending] of this.pending) {
      if (pending.host !== host) continue;
      this.pending.delete(id);
      clearTimeout(pending.timer);
      pending.reject(unavailable(why));
    }
  }

  private replied(text: string): void {
    let reply: PeerReply;
    try {
      reply = PeerReply.parse(JSON.parse(text));
    } catch {
      return; // Not a reply we understand; the request times out.
    }
    const pending = this.pending.get(reply.id);
    if (!pending) return;
    this.pending.delete(reply.id);
    clearTimeout(pending.timer);
    if (reply.ok) pending.resolve(reply.data);
    else {
      const code = (reply.code ?? "internal") in ERROR_CODES ? (reply.code as ErrorCode) : "internal";
      pending.reject(
        new DispatchError(code, reply.message ?? "the owning hub node failed the request", {
          field: reply.field,
        }),
      );
    }
  }

  private fail(why: string): void {
    this.closed = true;
    // Never handed to the socket (it closed before it opened): input among them is lost.
    const unsent = this.queue.splice(0).length;
    if (unsent > 0) {
      this.options.logger.warn(
        { node: this.url, messages: unsent, why },
        "messages for hosts on another node were dropped: its socket closed before they were sent",
      );
    }
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(unavailable(why));
    }
    this.pending.clear();
  }
}

function unavailable(message: string): DispatchError {
  return new DispatchError("host_unavailable", message);
}

export class PeerLinks {
  private readonly connections = new Map<string, PeerConnection>();

  constructor(private readonly options: PeerLinksOptions) {}

  /** A link to `host` through the node at `url`. */
  link(url: string, host: string): HostLink {
    const connection = () => this.connection(url);
    return {
      host: undefined,
      // The newest this node speaks; the owning node checks its host's own (`PeerRequests`).
      protocol: HOST_PROTOCOL_VERSION,
      isOpen: true,
      bufferedAmount: 0,
      send: (message: HubToHostMessage) => connection().send({ t: "send", host, message }),
      // As a request: the owning node answers once the message is on its link to the host.
      sendConfirmed: async (message: HubToHostMessage) => {
        await connection().request(host, message, {});
      },
      request: (message: HostRequest, options: HostRequestOptions = {}) =>
        connection().request(host, message, options),
      // The link belongs to the owning node; nothing here may close it.
      close: () => undefined,
      terminate: () => undefined,
      violation: () => undefined,
    };
  }

  /**
   * `host`'s lease changed hands: now held by the node at `holderUrl` (undefined: by none, or by
   * this node). Requests for it waiting on any other node fail, as that node's link to the host
   * that would answer them is gone, even when the node itself went silently (a crash).
   */
  leaseMoved(host: string, holderUrl: string | undefined): void {
    for (const connection of this.connections.values()) {
      if (connection.url === holderUrl) continue;
      connection.failHost(host, `host '${host}' is no longer linked to the hub node at ${connection.url}`);
    }
  }

  dispose(): void {
    for (const connection of this.connections.values()) connection.close();
    this.connections.clear();
  }

  private connection(url: string): PeerConnection {
    let connection = this.connections.get(url);
    if (!connection || connection.closed) {
      connection = new PeerConnection(url, this.options);
      this.connections.set(url, connection);
    }
    return connection;
  }
}
