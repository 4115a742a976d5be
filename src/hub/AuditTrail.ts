/**
 * The audit trail: who did what to which session, from where and when. Input is recorded as
 * "who typed", never what, and at most once per person per session per minute so a typing
 * person does not write a row per keystroke. A row the store cannot take (a full disk, the
 * PostgreSQL server away) is kept in memory with its time and written once storage heals: the
 * action it records has already happened, so failing the request would tell the person it
 * did not, and refusing sign-ins and keys would lock them out of the sessions they need to
 * free space with.
 */
import type { Principal } from "../protocol/people.js";
import type { AuditFilter, AuditWhere, Store, StoredAudit } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";

/** At most one `input` (or `resize`) row per person and session in this window. */
const INPUT_AUDIT_EVERY_MS = 60_000;
/**
 * Rows kept while storage fails: hours of a busy hub's sign-ins, attaches and commands (input
 * is one row a minute per person and session), in a few MB. Past it the oldest are dropped,
 * and the trail says how many when it is written again.
 */
const KEPT_ROWS_MAX = 10_000;

interface KeptRow {
  actor: string;
  action: string;
  detail: Record<string, unknown>;
  where: AuditWhere & { at: number };
}

/** Who is acting and from where: every request and connection carries one. */
export interface Actor {
  principal: Principal;
  address: string;
}

export class AuditTrail {
  private readonly lastInput = new Map<string, number>();
  /** Rows waiting for the store, oldest first. */
  private kept: KeptRow[] = [];
  private droppedRows = 0;

  constructor(
    private readonly store: Store,
    /** A row could not be written because of storage (reported like any failed write). */
    private readonly storageFailed: (err: unknown) => void,
  ) {}

  record(
    actor: Actor | { name: string; address: string },
    action: string,
    options: { session?: string | undefined; detail?: Record<string, unknown> } = {},
  ): void {
    const name = "principal" in actor ? actor.principal.name : actor.name;
    const detail =
      "principal" in actor ? { via: actor.principal.via, ...options.detail } : (options.detail ?? {});
    const row: KeptRow = {
      actor: name,
      action,
      detail,
      where: { address: actor.address, session: options.session, at: Date.now() },
    };
    this.add(row);
  }

  /**
   * A row of the hub's own doing (a session orphaned by a host's restart or its absence), kept
   * like any other while storage fails: written from a host's hello or a timer, a throw there
   * stopped the hello (the host was never "connected") or the sweep.
   */
  byHub(action: string, detail: Record<string, unknown>): void {
    this.add({ actor: "hub", action, detail, where: { at: Date.now() } });
  }

  /** Writes `row` now, or behind the rows kept before it, in order. */
  private add(row: KeptRow): void {
    if (this.kept.length > 0) this.keep(row);
    else if (!this.write(row)) this.keep(row);
  }

  /** Storage works again: writes the rows kept meanwhile, in order; stops at the first failure. */
  writeKept(): void {
    if (this.droppedRows > 0) {
      const first = this.kept[0];
      const dropped: KeptRow = {
        actor: "hub",
        action: "audit-dropped",
        detail: { rows: this.droppedRows },
        where: { at: first?.where.at ?? Date.now() },
      };
      if (!this.write(dropped)) return;
      this.droppedRows = 0;
    }
    let written = 0;
    for (const row of this.kept) {
      if (!this.write(row)) break;
      written++;
    }
    this.kept = this.kept.slice(written);
  }

  /** Whether the row was written; a storage failure is reported and the row is not. */
  private write(row: KeptRow): boolean {
    try {
      this.store.audit(row.actor, row.action, row.detail, row.where);
      return true;
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.storageFailed(err);
      return false;
    }
  }

  private keep(row: KeptRow): void {
    this.kept.push(row);
    if (this.kept.length <= KEPT_ROWS_MAX) return;
    this.kept.shift();
    this.droppedRows++;
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
