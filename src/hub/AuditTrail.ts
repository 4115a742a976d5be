/**
 * The audit trail: who did what to which session, from where and when. Input is recorded as
 * "who typed", never what, and at most once per person per session per minute so a typing
 * person does not write a row per keystroke.
 */
import type { Principal } from "../protocol/people.js";
import type { AuditFilter, Store, StoredAudit } from "../store/Store.js";

/** At most one `input` (or `resize`) row per person and session in this window. */
const INPUT_AUDIT_EVERY_MS = 60_000;

/** Who is acting and from where: every request and connection carries one. */
export interface Actor {
  principal: Principal;
  address: string;
}

export class AuditTrail {
  private readonly lastInput = new Map<string, number>();

  constructor(private readonly store: Store) {}

  record(
    actor: Actor | { name: string; address: string },
    action: string,
    options: { session?: string | undefined; detail?: Record<string, unknown> } = {},
  ): void {
    const name = "principal" in actor ? actor.principal.name : actor.name;
    const detail =
      "principal" in actor ? { via: actor.principal.via, ...options.detail } : (options.detail ?? {});
    this.store.audit(name, action, detail, { address: actor.address, session: options.session });
  }

  /** Records that this person typed into the session, unless already recorded within the minute. */
  input(actor: Actor, session: string, now = Date.now()): void {
    this.often(actor, "input", session, now);
  }

  /**
   * An action a client repeats many times a minute (typing, a window being dragged): one row
   * per person, action and session per minute.
   */
  often(
    actor: Actor,
    action: string,
    session: string,
    now = Date.now(),
    detail?: Record<string, unknown>,
  ): void {
    const key = `${actor.principal.id}\u0000${action}\u0000${session}`;
    const last = this.lastInput.get(key);
    if (last !== undefined && now - last < INPUT_AUDIT_EVERY_MS) return;
    this.lastInput.set(key, now);
    if (this.lastInput.size > 10_000) this.forgetOld(now);
    this.record(actor, action, { session, ...(detail ? { detail } : {}) });
  }

  read(filter: AuditFilter): StoredAudit[] {
    return this.store.people.audit(filter);
  }

  private forgetOld(now: number): void {
    for (const [key, at] of this.lastInput) if (now - at >= INPUT_AUDIT_EVERY_MS) this.lastInput.delete(key);
  }
}
