/**
 * Who is on the page and beside it: the principal this page is signed in as (`/api/me`), its
 * role on each attached session, and who is attached to each session. It decides what this page
 * may do; the hub enforces it anyway.
 */
import type { PresenceEntry, Principal, Role } from "../../../src/protocol/people.js";

/** Why a read-only page's write controls are gone, for their place's tooltip or note. */
export const READ_ONLY_WHY =
  "You can watch this session but not type into it or run anything (a viewer here); ask its owner for write access.";

export class People {
  /** Who this page is signed in as (from `/api/me`); null until known. */
  principal = $state<Principal | null>(null);
  /**
   * This page's role on each session where it is not the global one (`welcome`), and on each
   * attached session (`attached`), as changed since (`role`).
   */
  roles = $state<Record<string, Role>>({});
  /** Who is attached to each session (pushed by the hub). */
  presence = $state<Record<string, PresenceEntry[]>>({});

  /** Settles once `load` has an answer (or gave up): what depends on the role waits for it. */
  loaded: Promise<void> = Promise.resolve();

  /** Asks the hub who this page is signed in as. */
  load(): void {
    this.loaded = fetch("/api/me", { credentials: "same-origin" })
      .then((response) => (response.ok ? response.json() : undefined))
      .then((body: { principal?: Principal } | undefined) => {
        if (body?.principal) this.principal = body.principal;
      })
      .catch(() => {
        // Unknown until the next start: controls stay shown and the hub refuses what it must.
      });
  }

  /** A connection began: the roles grants give, as the hub says now (what was known before may be stale). */
  welcomed(roles: Record<string, Role>): void {
    this.roles = { ...roles };
  }

  setRole(session: string, role: Role): void {
    this.roles[session] = role;
  }

  /**
   * An owner changed this page's role while it was connected (`role`): on `session` when given,
   * and who it is now (its global role: creating sessions, the owner's panels).
   */
  roleChanged(principal: Principal, session: string | undefined, role: Role): void {
    this.principal = principal;
    if (session !== undefined) this.roles[session] = role;
  }

  setPresence(session: string, presence: PresenceEntry[]): void {
    this.presence[session] = presence;
  }

  /**
   * Whether this page may only watch a session: a viewer (by role, grant or a read-only share
   * link) never types, resizes, renames or kills, so those controls are hidden.
   */
  readOnly(id: string): boolean {
    const role = this.roles[id] ?? (this.principal?.via === "share" ? undefined : this.principal?.role);
    return (
      role === "viewer" ||
      (role === undefined && this.principal?.via === "share" && this.principal.role === "viewer")
    );
  }

  /**
   * Whether this page may rename, kill or revive a session: not while it may only watch, and
   * never through a share link, which may type into its session but not own it.
   */
  mayManage(id: string): boolean {
    return !this.readOnly(id) && this.principal?.via !== "share";
  }

  /**
   * Whether this page may make share links to a session: its owner's (the hub's owner, or a
   * person granted owner on it), never through a share link.
   */
  mayShare(id: string): boolean {
    const principal = this.principal;
    if (!principal || principal.via === "share") return false;
    return (this.roles[id] ?? principal.role) === "owner";
  }

  /**
   * Whether this page may create sessions: not a share link (it reaches its one session) nor a
   * viewer. Unknown yet: the controls show and the hub refuses what it must.
   */
  get canCreate(): boolean {
    const principal = this.principal;
    return principal === null || (principal.via !== "share" && principal.role !== "viewer");
  }

  /** Whether this page may manage the hub (people, hosts, the audit trail). */
  get isOwner(): boolean {
    return this.principal?.role === "owner" && this.principal.via !== "share";
  }
}
