/**
 * `HostLink` over a WebSocket: the local host's Unix socket and a remote host that dialed in
 * alike. Validates everything the host sends; output frames are passed
 * on as received so the hub can forward them without re-encoding.
 */
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { mib } from "../core/byteSize.js";
import { DispatchError, isErrorCode } from "../core/errors.js";
import { corkForTurn } from "../platform/turnCork.js";
import { decodeOutputFrame } from "../protocol/frames.js";
import {
  type HostInfo,
  HostMessage,
  type HostSessionState,
  type HubToHostMessage,
  MAX_HOST_MESSAGE_BYTES,
} from "../protocol/host.js";
import type { HostLink, HostLinkEvents, HostRequest, HostRequestOptions } from "./HostLink.js";
import { requireHostProtocol } from "./hostRequests.js";

/**
 * How long a host has to answer a quick request (a spawn, a signal, a kind's quick verb) before
 * the hub gives up on it. A long-running request (`HostRequestOptions`) has no deadline: the
 * heartbeat bounds it, closing the link of a host that stops answering. `DISPATCH_HOST_REQUEST_TIMEOUT_MS`
 * sets another (`hostSettings`).
 */
export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;
/**
 * Most `hello-part`s a host may send before its hello: 16 full messages, room for thousands of
 * sessions with megabytes of options each, while a host sending them without end is cut off.
 */
const MAX_HELLO_PART_BYTES = 16 * MAX_HOST_MESSAGE_BYTES;

interface Pending {
  /** The session the request is about: its answer waits for the events sent before it. */
  session: string | undefined;
  resolve: (data: unknown) => void;
  reject: (err: Error) => void;
  /** Absent for a long-running request. */
  timer: NodeJS.Timeout | undefined;
}

export class HostConnection implements HostLink {
  host: HostInfo | undefined;
  protocol: number | undefined;
  private nextRef = 1;
  private readonly pending = new Map<number, Pending>();
  private closed = false;
  /** Sessions of the host's hello sent ahead of it in `hello-part`s (a hello too large for one message). */
  private helloParts: HostSessionState[] = [];
  /** Bytes of `hello-part`s taken so far: bounded, as a host could send them without end. */
  private helloPartBytes = 0;
  /** Why the link is closing when the socket's own code would not say (a message too large). */
  private closeReason: string | undefined;

  constructor(
    private readonly socket: WebSocket,
    private readonly events: HostLinkEvents,
    private readonly logger: Logger,
    private readonly requestTimeoutMs = DEFAULT_REQUEST_TIMEOUT_MS,
  ) {
    socket.on("message", (raw, isBinary) => this.receive(raw as Buffer, isBinary));
    socket.on("close", (code, reason) =>
      this.handleClose(this.closeReason ?? `closed (${code}${reason.length ? ` ${reason}` : ""})`),
    );
    socket.on("error", (err) => this.socketError(err));
    // The opener paused the socket so nothing arrives before these listeners exist.
    socket.resume();
  }

  get isOpen(): boolean {
    return !this.closed && this.socket.readyState === this.socket.OPEN;
  }

  /** Bytes queued to the host but not yet handed to the OS. */
  get bufferedAmount(): number {
    return this.socket.bufferedAmount;
  }

  send(message: HubToHostMessage): void {
    if (!this.isOpen)
      throw new DispatchError("host_unavailable", "the host is not connected; try again shortly");
    this.logger.trace({ type: message.type }, "to host");
    const wire = JSON.stringify(message);
    const bytes = wireBytes(wire);
    if (bytes > MAX_HOST_MESSAGE_BYTES) {
      // The host would close the link on it (1009), cutting off every session of the host.
      throw new DispatchError(
        "too_large",
        `${describeMessage(message)} is ${mib(bytes)}, more than the ${mib(MAX_HOST_MESSAGE_BYTES)} one message from the hub to a host may hold, so the hub did not send it to ${this.describeHost()} (its link and sessions are unharmed); ask for less at once, or start the session anew with less (a smaller file, a shorter conversation)`,
      );
    }
    // One write for a turn's messages (a commit acknowledges every session in it).
    corkForTurn(this.socket);
    this.socket.send(wire);
  }

  /**
   * Sends a request and resolves with the host's reply data, or rejects with its error; with
   * `host_unavailable` when the link closes first or, unless it is long-running, when the host
   * takes longer than `requestTimeoutMs`.
   */
  request(message: HostRequest, options: HostRequestOptions = {}): Promise<unknown> {
    try {
      requireHostProtocol(this, message);
    } catch (err) {
      return Promise.reject(err);
    }
    const ref = this.nextRef++;
    return new Promise((resolve, reject) => {
      const timer = options.longRunning
        ? undefined
        : setTimeout(() => {
            this.pending.delete(ref);
            reject(
              new DispatchError(
                "host_unavailable",
                `${this.describeHost()} did not answer ${describeRequest(message)} within ${this.requestTimeoutMs / 1000} s`,
              ),
            );
          }, this.requestTimeoutMs);
      this.pending.set(ref, { session: sessionOf(message), resolve, reject, timer });
      try {
        this.send({ ...message, ref } as HubToHostMessage);
      } catch (err) {
        clearTimeout(timer);
        this.pending.delete(ref);
        reject(err);
      }
    });
  }

  close(code = 1000, reason = "hub closing"): void {
    this.socket.close(code, reason);
    this.handleClose(reason);
  }

  /** Drops the link at once (used for hosts that misbehave or whose token was revoked). */
  terminate(reason: string): void {
    this.socket.terminate();
    this.handleClose(reason);
  }

  private receive(raw: Buffer, isBinary: boolean): void {
    if (this.closed) return;
    if (isBinary) {
      const frame = decodeOutputFrame(raw);
      if (!frame) return this.violation("malformed output frame");
      this.events.onEvent(this, { ...frame, type: "output" }, raw);
      return;
    }
    let parsed: ReturnType<typeof HostMessage.safeParse>;
    try {
      parsed = HostMessage.safeParse(JSON.parse(raw.toString()));
    } catch {
      return this.violation("malformed JSON");
    }
    if (!parsed.success) return this.violation(`invalid message: ${parsed.error.issues[0]?.message ?? "?"}`);
    const message = parsed.data;
    switch (message.type) {
      case "hello-part":
        if (this.host) return this.violation("sent part of a hello after its hello");
        this.helloPartBytes += raw.length;
        if (this.helloPartBytes > MAX_HELLO_PART_BYTES)
          return this.violation(`sent more than ${MAX_HELLO_PART_BYTES / (1024 * 1024)} MiB of hello parts`);
        for (const session of message.sessions) this.helloParts.push(session);
        return;
      case "hello": {
        const sessions =
          this.helloParts.length > 0 ? [...this.helloParts, ...message.sessions] : message.sessions;
        this.helloParts = [];
        this.helloPartBytes = 0;
        this.host = message.host;
        this.protocol = message.protocol;
        this.events.onHello(this, message.host, sessions);
        return;
      }
      case "event":
        this.events.onEvent(this, message.event);
        return;
      case "reply":
        return this.settle(message.ref, message.ok ? { data: message.data } : { error: message.error });
      case "stats":
        return this.settle(message.ref, { data: { rss: message.rss, buffered: message.buffered } });
      case "pong":
        this.events.onPong?.(this, message.t);
        return;
      default: {
        const unreachable: never = message;
        return this.violation(`unknown message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private settle(
    ref: number,
    outcome: {
      data?: unknown;
      error?: { code: string; message: string; field?: string | undefined } | undefined;
    },
  ): void {
    const pending = this.pending.get(ref);
    if (!pending) return;
    this.pending.delete(ref);
    clearTimeout(pending.timer);
    const deliver = () => {
      if (outcome.error) {
        const code = isErrorCode(outcome.error.code) ? outcome.error.code : "internal";
        pending.reject(new DispatchError(code, outcome.error.message, { field: outcome.error.field }));
      } else {
        pending.resolve(outcome.data);
      }
    };
    if (pending.session !== undefined && this.events.onReply)
      this.events.onReply(this, pending.session, deliver);
    else deliver();
  }

  /** Logs the host's offence and drops the link (also used by the hub for checks beyond the schema). */
  violation(message: string): void {
    this.logger.warn(
      { host: this.host?.name, problem: message },
      "host broke the protocol; disconnecting it",
    );
    this.events.onViolation?.(this, message);
    this.terminate(`protocol violation: ${message}`);
  }

  private describeHost(): string {
    return this.host ? `host '${this.host.name}'` : "the host";
  }

  private socketError(err: Error): void {
    if ((err as { code?: unknown }).code !== "WS_ERR_UNSUPPORTED_MESSAGE_LENGTH") {
      this.logger.warn({ err }, "host socket error");
      return;
    }
    // The socket closes on it (1006 here, 1009 at the host). A host of this release never sends
    // one (`host/linkFit`); an older one sends the same event again at each connect.
    this.closeReason = `it sent a message larger than the ${mib(MAX_HOST_MESSAGE_BYTES)} a host may send; a host of dispatch before this release does so again at every connect: upgrade dispatch on it and restart it (\`dispatch stop --all\`, or Ctrl-C a remote host), which replaces the oversized event`;
    this.logger.error({ err }, `${this.describeHost()} dropped: ${this.closeReason}`);
  }

  private handleClose(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.pending.values()) {
      clearTimeout(pending.timer);
      pending.reject(
        new DispatchError("host_unavailable", `${this.describeHost()} disconnected (${reason})`),
      );
    }
    this.pending.clear();
    this.events.onClose(this, reason);
  }
}

/** The session a request is about, if any (a spawn's is the one it starts). */
function sessionOf(message: HostRequest): string | undefined {
  if (message.type === "spawn") return message.spec.id;
  return "session" in message ? message.session : undefined;
}

/** A request as a person would name it: `'stats'`, or the verb for a session's command. */
function describeRequest(message: HostRequest): string {
  if (message.type === "command") return `the command '${message.name}'`;
  if (message.type === "kind-command") return `the ${message.kind} command '${message.name}'`;
  return `'${message.type}'`;
}

/** A message to a host as a person would name it, capitalised: it opens a sentence. */
function describeMessage(message: HubToHostMessage): string {
  if (message.type === "spawn") return `The start of session '${message.spec.name ?? message.spec.id}'`;
  if (message.type === "command" || message.type === "kind-command") {
    const described = describeRequest(message);
    return described.charAt(0).toUpperCase() + described.slice(1);
  }
  return `The '${message.type}' message`;
}

/** UTF-8 bytes of `wire`, counted only when it might be near the limit (most messages are tiny). */
function wireBytes(wire: string): number {
  // A UTF-16 unit is at most 3 bytes of UTF-8.
  return wire.length * 3 <= MAX_HOST_MESSAGE_BYTES ? wire.length : Buffer.byteLength(wire);
}
