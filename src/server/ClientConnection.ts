/**
 * One client WebSocket (browser tab or CLI). Parses every inbound message with the protocol
 * schema, answers bad ones with an error and keeps the connection; tracks this client's
 * subscriptions (one read cursor per attached session) and pushes session list changes and
 * presence. Every request is authorized by the gate against this connection's principal; a
 * connection that has not said a valid hello within a few seconds is closed, and so is one
 * whose principal is gone (a user removed, a share link revoked or expired): it streams
 * nothing more.
 */
import type { Logger } from "pino";
import type { WebSocket } from "ws";
import { DispatchError, toDispatchError } from "../core/errors.js";
import { CLIENT_PROTOCOL_VERSION, VERSION } from "../core/version.js";
import type { Actor } from "../hub/AuditTrail.js";
import { atLeast } from "../hub/accessPolicy.js";
import { attachMode } from "../hub/attachRule.js";
import type { Hub } from "../hub/Hub.js";
import type { SubscriberChannel, Subscription } from "../hub/Subscription.js";
import { newId } from "../platform/ids.js";
import { corkForTurn } from "../platform/turnCork.js";
import type { StorageStatus } from "../protocol/api.js";
import { ClientMessage, MAX_CLIENT_MESSAGE_BYTES, type ServerMessage } from "../protocol/client.js";
import type { HostView } from "../protocol/hosts.js";
import { describeIssues } from "../protocol/parse.js";
import type { Principal } from "../protocol/people.js";
import { CreateSessionRequest } from "../protocol/session.js";
import type { Authenticator } from "./auth.js";
import type { Gate } from "./authorize.js";

/** While a slow client drains, its queue is checked this often. */
const DRAIN_POLL_MS = 10;
const DRAINED_BYTES = 64 * 1024;
/** A socket that has not said a valid hello by then is closed (it holds resources, proves nothing). */
export const HELLO_TIMEOUT_MS = 5_000;
/**
 * How often an open connection checks its principal again without being told: a change made
 * through another hub node of a cluster reaches this one's bus only through the store.
 */
const ACCESS_RECHECK_MS = 30_000;
/** Close code of a connection whose principal lost its access (as 4401 for a failed sign-in). */
const ACCESS_REVOKED_CLOSE = 4403;

type Ref = string | number | undefined;

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
  hosts?: { listen(listener: (host: HostView) => void): () => void } | undefined;
  /** Storage failing or recovered, pushed as `storage` messages (and on welcome while failing). */
  storage?:
    | { readonly status: StorageStatus; listen(listener: (status: StorageStatus) => void): () => void }
    | undefined;
  /** Told of every event sent to this client (metrics: events out, fan-out lag). */
  sent?: ((event: { ts: number }) => void) | undefined;
}

export class ClientConnection {
  private actor: Actor | undefined;
  private greeted = false;
  /** This connection's id in presence and the size rule. */
  private readonly id = newId();
  private readonly helloTimer: NodeJS.Timeout;
  private unlistenPresence: (() => void) | undefined;
  private readonly subscriptions = new Map<string, Subscription>();
  private readonly channel: SubscriberChannel;
  private unlisten: (() => void) | undefined;
  private unlistenHosts: (() => void) | undefined;
  private unlistenStorage: (() => void) | undefined;
  private unlistenAccess: (() => void) | undefined;
  private accessTimers: NodeJS.Timeout[] = [];

  constructor(private readonly options: ClientConnectionOptions) {
    this.actor = options.principal ? { principal: options.principal, address: options.address } : undefined;
    const { socket } = options;
    this.helloTimer = setTimeout(() => {
      if (!this.greeted) socket.close(4408, "no hello within 5 s");
    }, HELLO_TIMEOUT_MS);
    this.channel = {
      get backlog() {
        return socket.bufferedAmount;
      },
      sendFrame: (frame, events) => {
        if (socket.readyState !== socket.OPEN) return;
        corkForTurn(socket);
        socket.send(frame, { binary: true });
        if (options.sent) for (const event of events) options.sent(event);
      },
      sendEvent: (event) => {
        this.send({ type: "event", event });
        options.sent?.(event);
      },
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
    const actor = this.actor;
    if (!this.greeted || !actor) throw new DispatchError("bad_request", "send 'hello' first");
    const { hub, gate } = this.options;
    const { sessions, audit, clients } = hub;
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
        return this.attach(actor, message);
      case "revive": {
        const info = gate.session(actor, "revive", message.session);
        audit.record(actor, "revive", { session: info.id, detail: { name: info.name } });
        return this.send({
          type: "result",
          ref: message.ref,
          data: { session: await sessions.revive(info.id, message.options) },
        });
      }
      case "command": {
        const info = gate.session(actor, "command", message.session);
        audit.record(actor, "command", { session: info.id, detail: { command: message.name } });
        return this.send({
          type: "result",
          ref: message.ref,
          data: await sessions.command(info.id, message.name, message.args),
        });
      }
      case "detach": {
        const id = sessions.get(message.session).id;
        this.detach(id);
        return this.send({ type: "detached", ref: message.ref, session: id });
      }
      case "input": {
        const info = gate.session(actor, "input", message.session);
        // Its size first (the size rule may switch to this client's): the program then reads
        // the key at the size the person typing it sees, as under tmux.
        clients.active(info.id, this.id);
        sessions.input(info.id, message.data);
        audit.input(actor, info.id);
        if (message.ref !== undefined) this.send({ type: "result", ref: message.ref });
        return;
      }
      case "resize": {
        const info = gate.session(actor, "resize", message.session);
        const size = { cols: message.cols, rows: message.rows };
        audit.often(actor, "resize", info.id, Date.now(), size);
        // Attached: the size rule decides; not attached (a script): the size is applied as asked.
        if (this.subscriptions.has(info.id)) clients.active(info.id, this.id, size);
        else sessions.resize(info.id, size.cols, size.rows);
        if (message.ref !== undefined) this.send({ type: "result", ref: message.ref });
        return;
      }
      case "rename": {
        const info = gate.session(actor, "rename", message.session);
        const renamed = sessions.rename(info.id, message.name);
        audit.record(actor, "rename", { session: info.id, detail: { from: info.name, to: message.name } });
        return this.send({ type: "result", ref: message.ref, data: { session: renamed } });
      }
      case "kill": {
        const info = gate.session(actor, "kill", message.session);
        audit.record(actor, "kill", {
          session: info.id,
          detail: { name: info.name, signal: message.signal },
        });
        return this.send({
          type: "result",
          ref: message.ref,
          data: { session: await sessions.kill(info.id, message.signal) },
        });
      }
      default: {
        const unreachable: never = message;
        throw new DispatchError("bad_request", `unknown message ${JSON.stringify(unreachable)}`);
      }
    }
  }

  private async hello(protocol: number, key: string | undefined, ref: Ref): Promise<void> {
    if (protocol !== CLIENT_PROTOCOL_VERSION) {
      throw new DispatchError(
        "protocol_version",
        `this hub speaks client protocol ${CLIENT_PROTOCOL_VERSION}, the client sent ${protocol}; update the client`,
      );
    }
    const { auth, address, hub } = this.options;
    if (!this.actor) {
      try {
        if (!key) throw new DispatchError("unauthorized", "missing access key");
        const principal = await auth.verify(
          key,
          address,
          "wrong or missing access key; find it in the hub's data directory (access.key)",
        );
        this.actor = { principal, address };
      } catch (err) {
        const error = toDispatchError(err);
        hub.audit.record({ name: "unknown", address }, "sign-in-failed", { detail: { over: "hello" } });
        this.fail(ref, error.code, error.message);
        this.options.socket.close(error.code === "rate_limited" ? 4429 : 4401, error.code);
        return;
      }
    }
    const actor = this.actor;
    if (!this.greeted) {
      this.greeted = true;
      clearTimeout(this.helloTimer);
      hub.audit.record(actor, "sign-in", { detail: { over: "websocket" } });
      const { gate } = this.options;
      this.unlisten = hub.sessions.listen({
        changed: (session) => {
          if (gate.canSee(actor.principal, session.id)) this.send({ type: "session", session });
        },
        removed: (id) => {
          this.subscriptions.delete(id);
          hub.clients.leave(id, this.id);
          this.send({ type: "session-removed", id });
        },
      });
      this.unlistenPresence = hub.bus.on("presence", (session, presence) => {
        if (gate.canSee(actor.principal, session)) this.send({ type: "presence", session, presence });
      });
      // Hosts are the owner's business.
      if (hub.people.refresh(actor.principal)?.role === "owner" && actor.principal.via !== "share") {
        this.unlistenHosts = this.options.hosts?.listen((host) => this.send({ type: "host", host }));
      }
      this.unlistenStorage = this.options.storage?.listen((storage) =>
        this.send({ type: "storage", storage }),
      );
      const storage = this.options.storage?.status;
      if (storage && !storage.ok) queueMicrotask(() => this.send({ type: "storage", storage }));
      this.watchAccess(actor);
    }
    this.send({
      type: "welcome",
      ref,
      protocol: CLIENT_PROTOCOL_VERSION,
      version: VERSION,
      serverTime: Date.now(),
      principal: hub.people.refresh(actor.principal) ?? actor.principal,
    });
  }

  private attach(actor: Actor, message: Extract<ClientMessage, { type: "attach" }>): void {
    const { hub, gate } = this.options;
    const info = gate.session(actor, "read", message.session);
    const id = info.id;
    const existing = this.subscriptions.get(id);
    if (existing) hub.attachments.detach(existing);
    const mode = attachMode(message.snapshot);
    const attached = hub.attachments.attach(id, message.afterSeq, this.channel, {
      mode,
      coalesce: message.coalesce === true,
    });
    this.subscriptions.set(id, attached.subscription);
    const role = gate.roleOn(actor.principal, id) ?? "viewer";
    this.send({ type: "attached", ref: message.ref, session: attached.info, role });
    attached.start();
    if (!existing) hub.audit.record(actor, "attach", { session: id, detail: { role } });
    // Size rule (`SessionClients`): writers' sizes count, a viewer's never does.
    const sized = message.cols !== undefined && message.rows !== undefined;
    hub.clients.join(id, this.id, {
      principal: actor.principal,
      role,
      writer: atLeast(role, "writer"),
      size: sized ? { cols: message.cols as number, rows: message.rows as number } : undefined,
    });
  }

  /** Checks the principal again when access is revoked, every so often, and when its link expires. */
  private watchAccess(actor: Actor): void {
    this.unlistenAccess = this.options.hub.bus.on("access-revoked", () => this.checkAccess(actor));
    const every = setInterval(() => this.checkAccess(actor), ACCESS_RECHECK_MS);
    every.unref();
    this.accessTimers.push(every);
    const { expiresAt } = actor.principal;
    if (expiresAt !== undefined) {
      // Timers hold at most ~24.8 days; a later expiry is caught by the periodic check.
      const expiry = setTimeout(
        () => this.checkAccess(actor),
        Math.min(expiresAt - Date.now() + 1, 2 ** 31 - 1),
      );
      expiry.unref();
      this.accessTimers.push(expiry);
    }
  }

  /**
   * Closes the connection once its principal is gone. (A user who remains keeps seeing every
   * session: grants only add to a global role; a role change applies per request.)
   */
  private checkAccess(actor: Actor): void {
    const { hub, socket } = this.options;
    if (hub.people.refresh(actor.principal)) return;
    const message =
      actor.principal.via === "share"
        ? "this share link was revoked or has expired; ask the session's owner for a new one"
        : `${actor.principal.name} no longer has access to this hub; ask an owner`;
    this.fail(undefined, "unauthorized", message);
    socket.close(ACCESS_REVOKED_CLOSE, "access revoked");
    // Nothing more reaches it while the close handshake runs.
    this.dispose();
  }

  private detach(id: string): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    this.options.hub.attachments.detach(subscription);
    this.subscriptions.delete(id);
    this.options.hub.clients.leave(id, this.id);
    if (this.actor) this.options.hub.audit.record(this.actor, "detach", { session: id });
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
    this.unlisten?.();
    this.unlistenHosts?.();
    this.unlistenPresence?.();
    this.unlistenStorage?.();
    this.unlistenAccess?.();
    this.unlistenAccess = undefined;
    for (const timer of this.accessTimers) clearTimeout(timer);
    this.accessTimers = [];
    for (const id of [...this.subscriptions.keys()]) this.detach(id);
  }
}

function refOf(json: unknown): Ref {
  if (json && typeof json === "object" && "ref" in json) {
    const ref = (json as { ref: unknown }).ref;
    if (typeof ref === "string" || typeof ref === "number") return ref;
  }
  return undefined;
}
