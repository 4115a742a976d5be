/**
 * Watches whether a connected client's principal still has access: when an access is revoked
 * anywhere, every so often, and when its share link expires. A user removed or a share link
 * revoked or expired must stop streaming at once, not at the next request it happens to make.
 */
import type { Actor } from "../hub/AuditTrail.js";
import type { Hub } from "../hub/Hub.js";
import type { Principal, Role } from "../protocol/people.js";

/**
 * How often an open connection checks its principal again without being told: a change made
 * through another hub node of a cluster reaches this one's bus only through the store.
 */
const ACCESS_RECHECK_MS = 30_000;
/** The longest delay a Node timer holds (~24.8 days); a later expiry is caught by the periodic check. */
const MAX_TIMER_MS = 2 ** 31 - 1;

export interface AccessWatchOptions {
  hub: Hub;
  actor: Actor;
  /** The principal is gone; `message` says so to the person and what to do. Called at most once. */
  onLost: (message: string) => void;
  /**
   * The principal is still here (as it stands now), its role perhaps changed: what depends on it
   * follows. `globalRoleChanged`: its hub-wide role is not the one it had at the last check.
   */
  onKept?: (principal: Principal, globalRoleChanged: boolean) => void;
}

export class AccessWatch {
  private unlisten: (() => void) | undefined;
  private timers: NodeJS.Timeout[] = [];
  /** The principal's hub-wide role at the last check. */
  private role: Role | undefined;

  constructor(private readonly options: AccessWatchOptions) {
    this.role = options.hub.people.refresh(options.actor.principal)?.role;
    this.unlisten = options.hub.bus.on("access-revoked", () => this.check());
    const every = setInterval(() => this.check(), ACCESS_RECHECK_MS);
    every.unref();
    this.timers.push(every);
    const { expiresAt } = options.actor.principal;
    if (expiresAt !== undefined) {
      const expiry = setTimeout(() => this.check(), Math.min(expiresAt - Date.now() + 1, MAX_TIMER_MS));
      expiry.unref();
      this.timers.push(expiry);
    }
  }

  dispose(): void {
    this.unlisten?.();
    this.unlisten = undefined;
    for (const timer of this.timers) clearTimeout(timer);
    this.timers = [];
  }

  /**
   * Reports the principal gone and stops watching. (A user who remains keeps seeing every
   * session: grants only add to a global role; a role change applies per request, and to what
   * the connection holds through `onKept`.)
   */
  private check(): void {
    const { hub, actor, onLost } = this.options;
    const principal = hub.people.refresh(actor.principal);
    if (principal) {
      const changed = principal.role !== this.role;
      this.role = principal.role;
      return this.options.onKept?.(principal, changed);
    }
    this.dispose();
    onLost(
      actor.principal.via === "share"
        ? "this share link was revoked or has expired; ask the session's owner for a new one"
        : (hub.people.signOnRefusal(actor.principal) ??
            `${actor.principal.name} no longer has access to this hub; ask an owner`),
    );
  }
}
