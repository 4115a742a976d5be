/**
 * The one place requests are authorized: every REST route and WebSocket message names its
 * action, and the gate checks the actor's role on the hub or on the session it resolves
 * (policy in `hub/accessPolicy.ts`). Refusals say who cannot do what and whom to ask.
 */

import type { Actor } from "../hub/AuditTrail.js";
import type { HubAction, SessionAction } from "../hub/accessPolicy.js";
import { kindCommandAction, requireRole } from "../hub/accessPolicy.js";
import type { People } from "../hub/People.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import { getKind } from "../kinds/registry.js";
import type { Principal, Role } from "../protocol/people.js";
import type { SessionInfo } from "../protocol/session.js";

export class Gate {
  constructor(
    private readonly people: People,
    private readonly sessions: SessionCommands,
  ) {}

  /** Resolves a session (name or id) and checks the actor may do `action` to it. */
  session(actor: Actor, action: SessionAction, ref: string): SessionInfo {
    const info = this.sessions.get(ref);
    requireRole(actor.principal, action, this.people.roleOn(actor.principal, info.id), info);
    return info;
  }

  /**
   * Resolves a session and checks the actor may run its kind's command `name`: one that only
   * reads needs what watching needs, a controlling one (a kernel's restart) a writer and no
   * share link, any other (or one the kind does not have) a writer or a write link.
   */
  command(actor: Actor, ref: string, name: string): SessionInfo {
    const info = this.sessions.get(ref);
    const needs = getKind(info.kind).commands?.[name];
    const role = this.people.roleOn(actor.principal, info.id);
    requireRole(actor.principal, kindCommandAction(needs), role, info, needs?.control);
    return info;
  }

  /** The actor's role on a session, for presence and the size rule. */
  roleOn(principal: Principal, sessionId: string): Role | undefined {
    return this.people.roleOn(principal, sessionId);
  }

  /** Checks a hub-wide action. */
  hub(actor: Actor, action: HubAction): void {
    requireRole(actor.principal, action, this.hubRole(actor.principal, action));
  }

  /** Whether the actor may do a hub-wide action (to show more or less, not to refuse). */
  allows(actor: Actor, action: HubAction): boolean {
    try {
      this.hub(actor, action);
      return true;
    } catch {
      return false;
    }
  }

  /** The sessions this principal may see. */
  visible(principal: Principal, sessions: SessionInfo[]): SessionInfo[] {
    return sessions.filter((session) => this.people.roleOn(principal, session.id) !== undefined);
  }

  canSee(principal: Principal, sessionId: string): boolean {
    return this.people.roleOn(principal, sessionId) !== undefined;
  }

  /** A share link may only list (its one session); a user's role is re-read every time. */
  private hubRole(principal: Principal, action: HubAction): Role | undefined {
    if (principal.via === "share") return action === "list" ? "viewer" : undefined;
    return this.people.refresh(principal)?.role;
  }
}
