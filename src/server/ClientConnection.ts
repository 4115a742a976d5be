/**
 * One client WebSocket (browser tab or CLI). Parses every inbound message with the protocol
 * schema, answers bad ones with an error and keeps the connection; tracks this client's
 * subscriptions (one read cursor per attached session) and pushes session list changes.
 */
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { DispatchError, toDispatchError } from "../core/errors.js";
import { CLIENT_PROTOCOL_VERSION, VERSION } from "../core/version.js";
import type { Attachments } from "../hub/Attachments.js";
import { attachMode } from "../hub/attachRule.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import type { SubscriberChannel, Subscription } from "../hub/Subscription.js";
import type { StorageStatus } from "../protocol/api.js";
import { ClientMessage, MAX_CLIENT_MESSAGE_BYTES, type ServerMessage } from "../protocol/client.js";
import type { HostView } from "../protocol/hosts.js";
import { describeIssues } from "../protocol/parse.js";
import { CreateSessionRequest } from "../protocol/session.js";
import type { Authenticator } from "./auth.js";

/** While a slow client drains, its queue is checked this often. */
const DRAIN_POLL_MS = 10;
const DRAINED_BYTES = 64 * 1024;

type Ref = string | number | undefined;

export interface ClientConnectionOptions {
  socket: WebSocket;
  sessions: SessionCommands;
  attachments: Attachments;
  auth: Authenticator;
  /** Whether the upgrade request already carried a valid key or cookie. */
  authenticated: boolean;
  address: string;
  logger: Logger;
  /** Host status changes, pushed to the client as `host` messages. */
  hosts?: { listen(listener: (host: HostView) => void): () => void } | undefined;
  /** Storage failing or recovered, pushed as `storage` messages (and on welcome while failing). */
  storage?:
    | { readonly status: StorageStatus; listen(listener: (status: StorageStatus) => void): () => void }
    | undefined;
}

export class ClientConnection {
  private authenticated: boolean;
  private greeted = false;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly channel: SubscriberChannel;
  private unlisten: (() => void) | undefined;
  private unlistenHosts: (() => void) | undefined;
  private unlistenStorage: (() => void) | undefined;

  constructor(private readonly options: ClientConnectionOptions) {
    this.authenticated = options.authenticated;
    const { socket } = options;
    this.channel = {
      get backlog() {
        return socket.bufferedAmount;
      },
      sendFrame: (frame) => {
        if (socket.readyState === socket.OPEN) socket.send(frame, { binary: true });
      },
      sendEvent: (event) => this.send({ type: "event", event }),
      sendSnapshot: (snapshot) => this.send({ type: "snapshot", ...snapshot }),
      whenDrained: (callback) => {
        const check = () => {
          if (socket.readyState !== socket.OPEN || socket.bufferedAmount <= DRAINED_BYTES) callback();
          else setTimeout(check, DRAIN_POLL_MS);
        };
        setTimeout(check, DRAIN_POLL_MS);
      },
    };
    socket.on("message", (raw, isBinary) => this.receive(raw as Buffer, isBinary));
    socket.on("close", () => this.dispose());
    socket.on("error", (err) => options.logger.debug({ err }, "client socket error"));
  }

  private receive(raw: Buffer, isBinary: boolean): void {
    if (isBinary)
      return this.fail(undefined, "bad_request", "binary frames are not accepted from clients; send JSON");
    let json: unknown;
    try {
      // The socket's maxPayload already bounds what is parsed here.
      json = JSON.parse(raw.toString("utf8"));
    } catch {
      return this.fail(undefined, "bad_request", "message is not valid JSON");
    }
    const ref = refOf(json);
    if (raw.length > MAX_CLIENT_MESSAGE_BYTES) {
      return this.fail(
        ref,
        "too_large",
        `message of ${raw.length} bytes exceeds the ${MAX_CLIENT_MESSAGE_BYTES}-byte limit; send large input in pieces`,
      );
    }
    const parsed = ClientMessage.safeParse(json);
    if (!parsed.success)
      return this.fail(ref, "bad_request", `invalid message: ${describeIssues(parsed.error)}`);
    this.options.logger.trace({ type: parsed.data.type }, "client message");
    this.handle(parsed.data).catch((err) => {
      const error = toDispatchError(err);
      if (error.code === "internal") this.options.logger.error({ err }, "client request failed");
      this.fail(ref, error.code, error.message);
    });
  }

  private async handle(message: ClientMessage): Promise<void> {
    if (message.type === "hello") return this.hello(message.protocol, message.key, message.ref);
    if (message.type === "ping") return this.send({ type: "pong", ref: message.ref, serverTime: Date.now() });
    if (!this.greeted) throw new DispatchError("bad_request", "send 'hello' first");
    const { sessions, attachments } = this.options;
    switch (message.type) {
      case "list":
        return this.send({ type: "sessions", ref: message.ref, sessions: sessions.list() });
      case "create": {
        const params = CreateSessionRequest.parse(message.session);
        const session = await sessions.create(params);
        return this.send({ type: "result", ref: message.ref, data: { session } });
      }
      case "attach":
        return this.attach(message);
      case "revive":
        return this.send({
          type: "result",
          ref: message.ref,
          data: { session: await sessions.revive(message.session) },
        });
      case "command":
        return this.send({
          type: "result",
          ref: message.ref,
          data: await sessions.command(message.session, message.name, message.args),
        });
      case "detach": {
        const id = sessions.get(message.session).id;
        const subscription = this.subscriptions.get(id);
        if (subscription) attachments.detach(subscription);
        this.subscriptions.delete(id);
        return this.send({ type: "detached", ref: message.ref, session: id });
      }
      case "input":
        sessions.input(message.session, message.data);
        if (message.ref !== undefined) this.send({ type: "result", ref: message.ref });
        return;
      case "resize":
        sessions.resize(message.session, message.cols, message.rows);
        if (message.ref !== undefined) this.send({ type: "result", ref: message.ref });
        return;
      case "rename":
        return this.send({
          type: "result",
          ref: message.ref,
          data: { session: sessions.rename(message.session, message.name) },
        });
      case "kill":
        return this.send({
          type: "result",
          ref: message.ref,
          data: { session: await sessions.kill(message.session, message.signal) },
        });
      default: {
        const unreachable: never = message;
        throw new DispatchError("bad_request", `unknown message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private hello(protocol: number, key: string | undefined, ref: Ref): void {
    if (protocol !== CLIENT_PROTOCOL_VERSION) {
      throw new DispatchError(
        "protocol_version",
        `this hub speaks client protocol ${CLIENT_PROTOCOL_VERSION}, the client sent ${protocol}; update the client`,
      );
    }
    if (!this.authenticated) {
      const { auth, address } = this.options;
      if (auth.limiter.isBlocked(address)) {
        this.fail(ref, "rate_limited", "too many failed logins; wait a minute and try again");
        this.options.socket.close(4429, "rate limited");
        return;
      }
      if (!key || !auth.checkKey(key)) {
        auth.limiter.recordFailure(address);
        this.fail(
          ref,
          "unauthorized",
          "wrong or missing access key; find it in the hub's data directory (access.key)",
        );
        this.options.socket.close(4401, "unauthorized");
        return;
      }
      this.authenticated = true;
    }
    if (!this.greeted) {
      this.greeted = true;
      this.unlisten = this.options.sessions.listen({
        changed: (session) => this.send({ type: "session", session }),
        removed: (id) => {
          this.subscriptions.delete(id);
          this.send({ type: "session-removed", id });
        },
      });
      this.unlistenHosts = this.options.hosts?.listen((host) => this.send({ type: "host", host }));
      this.unlistenStorage = this.options.storage?.listen((storage) =>
        this.send({ type: "storage", storage }),
      );
      const storage = this.options.storage?.status;
      if (storage && !storage.ok) queueMicrotask(() => this.send({ type: "storage", storage }));
    }
    this.send({
      type: "welcome",
      ref,
      protocol: CLIENT_PROTOCOL_VERSION,
      version: VERSION,
      serverTime: Date.now(),
    });
  }

  private attach(message: Extract<ClientMessage, { type: "attach" }>): void {
    const { sessions, attachments } = this.options;
    const id = sessions.get(message.session).id;
    const existing = this.subscriptions.get(id);
    if (existing) attachments.detach(existing);
    const mode = attachMode(message.snapshot);
    const { info, subscription, start } = attachments.attach(id, message.afterSeq, this.channel, mode);
    this.subscriptions.set(id, subscription);
    this.send({ type: "attached", ref: message.ref, session: info });
    start();
    // Resize rule: the latest client to attach or resize with a size sets the session's size
    // (for runtimes that have one).
    const sized = message.cols !== undefined && message.rows !== undefined;
    if (sized && info.status === "running" && sessions.can(info, "resize")) {
      sessions.resize(id, message.cols as number, message.rows as number);
    }
  }

  private send(message: ServerMessage): void {
    const { socket } = this.options;
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  }

  private fail(ref: Ref, code: string, message: string): void {
    this.send({ type: "error", ref, code, message });
  }

  private dispose(): void {
    this.unlisten?.();
    this.unlistenHosts?.();
    this.unlistenStorage?.();
    for (const subscription of this.subscriptions.values()) this.options.attachments.detach(subscription);
    this.subscriptions.clear();
  }
}

function refOf(json: unknown): Ref {
  if (json && typeof json === "object" && "ref" in json) {
    const ref = (json as { ref: unknown }).ref;
    if (typeof ref === "string" || typeof ref === "number") return ref;
  }
  return undefined;
}
