/**
 * The sessions one client connection is attached to: one read cursor (`Subscription`) per
 * session, and the client's place in each session's size rule and presence (`SessionClients`).
 */
import type { Actor } from "../hub/AuditTrail.js";
import { atLeast, sessionRole } from "../hub/accessPolicy.js";
import { attachMode } from "../hub/attachRule.js";
import type { Hub } from "../hub/Hub.js";
import type { SubscriberChannel, Subscription } from "../hub/Subscription.js";
import type { ClientMessage, ServerMessage } from "../protocol/client.js";
import type { Principal, Role } from "../protocol/people.js";
import type { Gate } from "./authorize.js";

export interface ClientSubscriptionsOptions {
  hub: Hub;
  gate: Gate;
  /** The connection's id in presence and the size rule. */
  client: string;
  channel: SubscriberChannel;
  /** Sends one JSON message to the client. */
  send: (message: ServerMessage) => void;
}

export class ClientSubscriptions {
  private readonly subscriptions = new Map<string, Subscription>();
  /**
   * The role the client was last told it holds on a session (`welcome`'s `roles`, `attached`,
   * `role`), attached or not: on any other session it takes its global role to hold.
   */
  private readonly roles = new Map<string, Role>();

  constructor(private readonly options: ClientSubscriptionsOptions) {}

  /** Whether this client is attached to the session `id`. */
  has(id: string): boolean {
    return this.subscriptions.has(id);
  }

  /**
   * Attaches the client (again: an earlier subscription to the session is replaced), answers
   * with `attached` and then streams from where the client asked.
   */
  attach(actor: Actor, message: Extract<ClientMessage, { type: "attach" }>): void {
    const { hub, gate, client, channel } = this.options;
    const info = gate.session(actor, "read", message.session);
    const id = info.id;
    const existing = this.subscriptions.get(id);
    if (existing) hub.attachments.detach(existing);
    const mode = attachMode(message.snapshot);
    const attached = hub.attachments.attach(id, message.afterSeq, channel, {
      mode,
      coalesce: message.coalesce === true,
    });
    this.subscriptions.set(id, attached.subscription);
    const role = gate.roleOn(actor.principal, id) ?? "viewer";
    this.roles.set(id, role);
    this.options.send({ type: "attached", ref: message.ref, session: attached.info, role });
    attached.start();
    if (!existing) hub.audit.record(actor, "attach", { session: id, detail: { role } });
    // Size rule (`SessionClients`): writers' sizes count, a viewer's never does.
    const sized = message.cols !== undefined && message.rows !== undefined;
    hub.clients.join(id, client, {
      principal: actor.principal,
      role,
      writer: atLeast(role, "writer"),
      size: sized ? { cols: message.cols as number, rows: message.rows as number } : undefined,
    });
  }

  /**
   * The sessions where the principal's role is not its global one (a grant), as `welcome` tells
   * them: the client's list marks them read-only (or writable) before anything is attached.
   */
  welcome(principal: Principal): Record<string, Role> {
    const { hub } = this.options;
    const roles: Record<string, Role> = {};
    const grants = hub.people.grantsOf(principal);
    for (const { id } of hub.sessions.list()) {
      const role = grants[id];
      if (role === undefined) continue;
      roles[id] = role;
      this.roles.set(id, role);
    }
    return roles;
  }

  /**
   * The actor's access changed somewhere (a role lowered or raised, a grant): its place in each
   * attached session's presence and size rule follows its role now, not the one it attached with,
   * and the client is told (`role`) of each session, attached or not, where that role is not the
   * one it knew, so a page hides or shows its write controls and its list's read-only badges, and
   * `dispatch attach` says so. Returns how many it told.
   */
  rolesChanged(principal: Principal): number {
    const { hub, client, send } = this.options;
    const grants = hub.people.grantsOf(principal);
    let told = 0;
    for (const session of hub.sessions.list()) {
      const id = session.id;
      const role = sessionRole(principal, id, grants[id]);
      if (role === undefined) continue;
      if (this.subscriptions.has(id)) hub.clients.changeRole(id, client, role, atLeast(role, "writer"));
      if ((this.roles.get(id) ?? principal.role) === role) continue;
      this.roles.set(id, role);
      send({ type: "role", session: id, role, principal });
      told++;
    }
    return told;
  }

  /** Detaches the client from the session `id`, if attached; `actor` is audited as leaving it. */
  detach(id: string, actor: Actor | undefined): void {
    const subscription = this.subscriptions.get(id);
    if (!subscription) return;
    const { hub, client } = this.options;
    hub.attachments.detach(subscription);
    this.subscriptions.delete(id);
    // The role it was told stays: what the client knows of the session (its list shows it).
    hub.clients.leave(id, client);
    if (actor) hub.audit.record(actor, "detach", { session: id });
  }

  /** The connection is gone: it leaves every session it was attached to. */
  detachAll(actor: Actor | undefined): void {
    for (const id of [...this.subscriptions.keys()]) this.detach(id, actor);
  }

  /** The session `id` was removed from the hub (its subscriptions closed there): forget it here. */
  removed(id: string): void {
    this.subscriptions.delete(id);
    this.roles.delete(id);
    this.options.hub.clients.leave(id, this.options.client);
  }
}
