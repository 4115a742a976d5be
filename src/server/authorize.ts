/**
 * The one place requests are authorized: every REST route and WebSocket message names its
 * action, and the gate checks the actor's role on the hub or on the session it resolves
 * (policy in `hub/accessPolicy.ts`). Refusals say who cannot do what and whom to ask, and are
 * audited (`refused`, with the action and the refusal), so an owner sees who tried what.
 */

import { DispatchError } from "../core/errors.js";
import { unknownNameMessage } from "../core/names.js";
import type { Actor, AuditTrail } from "../hub/AuditTrail.js";
import type { Action, HubAction, SessionAction } from "../hub/accessPolicy.js";
import { kindCommandAction, requireRole } from "../hub/accessPolicy.js";
import type { People } from "../hub/People.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import { getKind } from "../kinds/registry.js";
import type { Principal, Role } from "../protocol/people.js";
import type { SessionInfo } from "../protocol/session.js";

/** A session as a request names it: enough to check and to act on. */
export type SessionTarget = Pick<SessionInfo, "id" | "name">;

/**
 * Refusals a client repeats many times a minute (a viewer's keys, a window being dragged): one
 * audit row per person, session and minute, as for the same actions allowed.
 */
const FREQUENT: ReadonlySet<Action> = new Set<Action>(["input", "resize"]);
/**
 * Hub-wide refusals worth an owner's attention: attempts to change something. Looking is left
 * out: the web UI asks every non-owner's page load for the hosts, which would be noise.
 */
const AUDITED_HUB: ReadonlySet<HubAction> = new Set<HubAction>(["create", "gc", "people", "storage"]);

export class Gate {
  constructor(
    private readonly people: People,
    private readonly sessions: SessionCommands,
    private readonly audit: AuditTrail,
  ) {}

  /** Resolves a session (name or id) and checks the actor may do `action` to it. */
  session(actor: Actor, action: SessionAction, ref: string): SessionInfo {
    return this.checked(
      actor,
      action,
      this.resolve(actor.principal, ref, (r) => this.sessions.get(r)),
    );
  }

  /**
   * As `session`, for the requests sent per key typed (input, resize): the session's id and
   * name only, without building its public view (~2 KB of garbage a key; docs/BENCHMARKS.md,
   * "The hub's garbage per key").
   */
  target(actor: Actor, action: SessionAction, ref: string): SessionTarget {
    return this.checked(
      actor,
      action,
      this.resolve(actor.principal, ref, (r) => this.sessions.target(r)),
    );
  }

  private checked<T extends SessionTarget>(actor: Actor, action: SessionAction, found: T): T {
    this.audited(actor, action, found.id, () =>
      requireRole(actor.principal, action, this.people.roleOn(actor.principal, found.id), found),
    );
    return found;
  }

  /**
   * Resolves a session and checks the actor may run its kind's command `name`: one that only
   * reads needs what watching needs, a controlling one (a kernel's restart) a writer and no
   * share link, any other (or one the kind does not have) a writer or a write link.
   */
  command(actor: Actor, ref: string, name: string): SessionInfo {
    const info = this.resolve(actor.principal, ref, (r) => this.sessions.get(r));
    const needs = getKind(info.kind).commands?.[name];
    const role = this.people.roleOn(actor.principal, info.id);
    const action = kindCommandAction(needs);
    this.audited(
      actor,
      action,
      info.id,
      () => requireRole(actor.principal, action, role, info, needs?.control),
      {
        command: name,
      },
    );
    return info;
  }

  /** The actor's role on a session, for presence and the size rule. */
  roleOn(principal: Principal, sessionId: string): Role | undefined {
    return this.people.roleOn(principal, sessionId);
  }

  /** Checks a hub-wide action. */
  hub(actor: Actor, action: HubAction): void {
    const check = () => requireRole(actor.principal, action, this.hubRole(actor.principal, action));
    if (AUDITED_HUB.has(action)) this.audited(actor, action, undefined, check);
    else check();
  }

  /** Whether the actor may do a hub-wide action (to show more or less, not to refuse: not audited). */
  allows(actor: Actor, action: HubAction): boolean {
    try {
      requireRole(actor.principal, action, this.hubRole(actor.principal, action));
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

  /**
   * A session by name or id, among those the principal can see. One it cannot see is answered
   * exactly as one that does not exist: a share link's holder trying names would otherwise
   * learn which sessions the hub has ("no access to 'secret-plans'" against "no session
   * 'secret-plan'"), and the did-you-mean guesses only among the sessions it sees.
   */
  private resolve<T extends SessionTarget>(principal: Principal, ref: string, find: (ref: string) => T): T {
    let found: T | undefined;
    try {
      found = find(ref);
    } catch (err) {
      if (!(err instanceof DispatchError) || err.code !== "not_found") throw err;
    }
    if (found && this.canSee(principal, found.id)) return found;
    throw new DispatchError("not_found", this.unseen(principal, ref));
  }

  /** What a principal is told of a session it cannot see or that does not exist. */
  private unseen(principal: Principal, ref: string): string {
    const reached = principal.via === "share" ? this.linkSessionName(principal.session) : undefined;
    if (reached === undefined) {
      const names = this.visible(principal, this.sessions.list()).map((session) => session.name);
      return unknownNameMessage("session", ref, names);
    }
    return `this share link reaches only session '${reached}', not '${ref}'; ask whoever shared it for a link to the session you want`;
  }

  private linkSessionName(sessionId: string | undefined): string | undefined {
    if (sessionId === undefined) return undefined;
    try {
      return this.sessions.get(sessionId).name;
    } catch {
      return undefined;
    }
  }

  /** Runs `check`; a refusal it throws is audited as `refused`, then thrown on. */
  private audited(
    actor: Actor,
    action: Action,
    session: string | undefined,
    check: () => void,
    detail: Record<string, unknown> = {},
  ): void {
    try {
      check();
    } catch (err) {
      if (err instanceof DispatchError && err.code === "forbidden") {
        const what = { action, ...detail, refusal: err.message };
        if (session !== undefined && FREQUENT.has(action))
          this.audit.often(actor, "refused", session, Date.now(), what);
        else this.audit.record(actor, "refused", { session, detail: what });
      }
      throw err;
    }
  }

  /** A share link may only list (its one session); a user's role is re-read every time. */
  private hubRole(principal: Principal, action: HubAction): Role | undefined {
    if (principal.via === "share") return action === "list" ? "viewer" : undefined;
    return this.people.refresh(principal)?.role;
  }
}
