/**
 * One client WebSocket (browser tab or CLI). Answers bad messages (`parseClientFrame`) with an
 * error and keeps the connection; serves each request once the gate has authorized it against
 * this connection's principal; keeps this client's subscriptions (`ClientSubscriptions`, one read
 * cursor per attached session) and pushes session list changes, presence, hosts and storage
 * (`clientPushes.ts`). What a request does to one session is `sessionRequests.ts`'. A
 * connection that has not said a valid hello within a few seconds is closed, and so is one
 * whose principal is gone (`AccessWatch`: a user removed, a share link revoked or expired):
 * it streams nothing more.
 */
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { DispatchError, ERROR_CODES, toDispatchError } from "../core/errors.js";
import type { InputStreams } from "../core/InputStreams.js";
import { CLIENT_PROTOCOL_VERSION, VERSION } from "../core/version.js";
import type { Actor } from "../hub/AuditTrail.js";
import type { Hub } from "../hub/Hub.js";
import { newId } from "../platform/ids.js";
import type { ClientMessage, ServerMessage } from "../protocol/client.js";
import type { Principal } from "../protocol/people.js";
import { CreateSessionRequest } from "../protocol/session.js";
import { storageFailure } from "../store/storageErrors.js";
import { AccessWatch } from "./AccessWatch.js";
import { type Authenticator, refusedSecretHint } from "./auth.js";
import type { Gate } from "./authorize.js";
import { ClientSubscriptions } from "./ClientSubscriptions.js";
import { clientChannel } from "./clientChannel.js";
import { type ClientPushesOptions, startClientPushes } from "./clientPushes.js";
import { parseClientFrame, type Ref } from "./parseClientFrame.js";
import { RequestValve } from "./requestValve.js";
import type { SocketQuota } from "./SocketQuota.js";
import { sessionRequest } from "./sessionRequests.js";
import { auditFailedSignIn } from "./signInAudit.js";

/** A socket that has not said a valid hello by then is closed (it holds resources, proves nothing). */
export const HELLO_TIMEOUT_MS = 5_000;
/** Close code of a connection whose hello spoke another protocol version (HTTP's 426, Upgrade Required). */
const PROTOCOL_MISMATCH_CLOSE = 4426;
/** Close code of a connection whose principal lost its access (as 4401 for a failed sign-in). */
const ACCESS_REVOKED_CLOSE = 4403;

export interface ClientConnectionOptions {
  socket: WebSocket;
  hub: Hub;
  gate: Gate;
  auth: Authenticator;
  /** Who the upgrade request proved to be (key, token or cookie); else `hello.key` must. */
  principal: Principal | undefined;
  address: string;
  logger: Logger;
  /** Host status changes, pushed to the client as `host` messages. */
  hosts?: ClientPushesOptions["hosts"];
  /** Storage failing or recovered, pushed as `storage` messages (and on welcome while failing). */
  storage?: ClientPushesOptions["storage"];
  /** Told of every event sent to this client (metrics: events out, fan-out lag). */
  sent?: ((event: { ts: number }) => void) | undefined;
  /** Numbered inputs applied on this hub (shared by its connections): resends are not typed twice. */
  inputs?: InputStreams | undefined;
  /** Sockets per person; counts this one if its `hello.key` signs it in (the upgrade's is counted there). */
  quota?: SocketQuota | undefined;
}

export class ClientConnection {
  private actor: Actor | undefined;
  private greeted = false;
  /** This connection's id in presence and the size rule. */
  private readonly id = newId();
  private readonly helloTimer: NodeJS.Timeout;
  private readonly subscriptions: ClientSubscriptions;
  /** Stops what the hub pushes to the client unasked (`clientPushes.ts`), started at hello. */
  private stopPushes: (() => void) | undefined;
  private access: AccessWatch | undefined;
  private readonly valve: RequestValve;
  /** Gives back this socket's place in its person's quota, when `hello` took it. */
  private releaseQuota: (() => void) | undefined;

  constructor(private readonly options: ClientConnectionOptions) {
    this.actor = options.principal ? { principal: options.principal, address: options.address } : undefined;
    const { socket, hub, gate } = options;
    this.helloTimer = setTimeout(() => {
      if (!this.greeted) socket.close(4408, "no hello within 5 s");
    }, HELLO_TIMEOUT_MS);
    const send = (message: ServerMessage) => this.send(message);
    this.subscriptions = new ClientSubscriptions({
      hub,
      gate,
      client: this.id,
      channel: clientChannel({ socket, send, sent: options.sent }),
      send,
    });
    // A client that does not read its replies is not read from either (`RequestValve`).
    this.valve = new RequestValve(socket, (raw, isBinary) => this.receive(raw, isBinary));
    socket.on("message", (raw, isBinary) => this.valve.receive(raw as Buffer, isBinary));
    socket.on("close", () => this.dispose());
    socket.on("error", (err) => options.logger.debug({ err }, "client socket error"));
  }

  /** Whether the client said hello and was let in. */
  get isGreeted(): boolean {
    return this.greeted;
  }

  private receive(raw: Buffer, isBinary: boolean): void {
    const frame = parseClientFrame(raw, isBinary);
    if (!frame.ok) return this.fail(frame.ref, frame.code, frame.message);
    const { message, ref } = frame;
    this.options.logger.trace({ type: message.type }, "client message");
    this.handle(message).catch((err) => {
      const error = storageFailure(err) ?? toDispatchError(err);
      if (error.code === "internal") this.options.logger.error({ err }, "client request failed");
      this.fail(ref, error.code, error.message);
    });
  }

  private async handle(message: ClientMessage): Promise<void> {
    if (message.type === "hello") return this.hello(message.protocol, message.key, message.ref);
    if (message.type === "ping") return this.send({ type: "pong", ref: message.ref, serverTime: Date.now() });
    const actor = this.actor;
    if (!this.greeted || !actor) throw new DispatchError("bad_request", "send 'hello' first");
    const { hub, gate } = this.options;
    const { sessions, audit } = hub;
    switch (message.type) {
      case "list":
        gate.hub(actor, "list");
        return this.send({
          type: "sessions",
          ref: message.ref,
          sessions: gate.visible(actor.principal, sessions.list()),
        });
      case "create": {
        gate.hub(actor, "create");
        const params = CreateSessionRequest.parse(message.session);
        const session = await sessions.create(params);
        audit.record(actor, "create", {
          session: session.id,
          detail: { name: session.name, kind: session.kind },
        });
        return this.send({ type: "result", ref: message.ref, data: { session } });
      }
      case "attach":
        return this.subscriptions.attach(actor, message);
      case "detach": {
        // Through the gate as watching is: a name it cannot see is not named back, nor guessed at.
        const { id } = gate.session(actor, "read", message.session);
        this.subscriptions.detach(id, actor);
        return this.send({ type: "detached", ref: message.ref, session: id });
      }
      case "revive":
      case "command":
      case "input":
      case "resize":
      case "rename":
      case "kill":
        return sessionRequest(
          {
            hub,
            gate,
            actor,
            client: this.id,
            inputs: this.options.inputs,
            attached: (session) => this.subscriptions.has(session),
            send: (reply) => this.send(reply),
          },
          message,
        );
      default: {
        const unreachable: never = message;
        throw new DispatchError("bad_request", `unknown message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async hello(protocol: number, key: string | undefined, ref: Ref): Promise<void> {
    if (protocol !== CLIENT_PROTOCOL_VERSION) {
      const message = `this hub speaks client protocol ${CLIENT_PROTOCOL_VERSION}, the client sent ${protocol}; update the client`;
      this.fail(ref, "protocol_version", message);
      // Nothing this client says can be read right: end now rather than at the hello timeout.
      if (!this.greeted) this.options.socket.close(PROTOCOL_MISMATCH_CLOSE, "protocol_version");
      return;
    }
    const { auth, address, hub } = this.options;
    if (!this.actor) {
      try {
        if (!key) throw new DispatchError("unauthorized", "missing access key");
        const principal = await auth.verify(
          key,
          address,
          refusedSecretHint(
            key,
            "wrong or missing access key; find it in the hub's data directory (access.key)",
          ),
        );
        this.releaseQuota = this.options.quota?.take(principal);
        this.actor = { principal, address };
      } catch (err) {
        const error = toDispatchError(err);
        auditFailedSignIn(hub.audit, address, "hello", err);
        this.fail(ref, error.code, error.message);
        this.options.socket.close(ERROR_CODES[error.code].http === 429 ? 4429 : 4401, error.code);
        return;
      }
    }
    const actor = this.actor;
    if (!this.greeted) {
      this.greeted = true;
      clearTimeout(this.helloTimer);
      hub.audit.record(actor, "sign-in", { detail: { over: "websocket" } });
      this.stopPushes = startClientPushes({
        ...this.options,
        actor,
        send: (message) => this.send(message),
        removed: (id) => this.subscriptions.removed(id),
      });
      this.access = new AccessWatch({
        hub,
        actor,
        onLost: (message) => this.lostAccess(message),
        onKept: (principal, globalRoleChanged) => {
          // A global role no attached session's `role` speaks for is told without a session.
          const told = this.subscriptions.rolesChanged(principal);
          if (told === 0 && globalRoleChanged) this.send({ type: "role", role: principal.role, principal });
        },
      });
    }
    const principal = hub.people.refresh(actor.principal) ?? actor.principal;
    const roles = this.subscriptions.welcome(principal);
    this.send({
      type: "welcome",
      ref,
      protocol: CLIENT_PROTOCOL_VERSION,
      version: VERSION,
      serverTime: Date.now(),
      principal,
      ...(Object.keys(roles).length > 0 ? { roles } : {}),
    });
  }

  /** The principal is gone (removed, or its share link revoked or expired): it streams nothing more. */
  private lostAccess(message: string): void {
    this.fail(undefined, "unauthorized", message);
    this.options.socket.close(ACCESS_REVOKED_CLOSE, "access revoked");
    // Nothing more reaches it while the close handshake runs.
    this.dispose();
  }

  private send(message: ServerMessage): void {
    const { socket } = this.options;
    if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(message));
  }

  private fail(ref: Ref, code: string, message: string): void {
    this.send({ type: "error", ref, code, message });
  }

  private dispose(): void {
    clearTimeout(this.helloTimer);
    this.releaseQuota?.();
    this.valve.dispose();
    this.stopPushes?.();
    this.access?.dispose();
    this.subscriptions.detachAll(this.actor);
  }
}
