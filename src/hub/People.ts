/**
 * The people a hub knows: users with a global role and per-session grants, each signing in
 * with a personal token (shown once) or single sign-on by email; share links (tokens scoped
 * to one session and a role, optionally expiring; kept in `ShareLinks.ts`). Turns a presented
 * token into a `Principal`; the access key is checked by the server and is the owner.
 */
import { DispatchError } from "../core/errors.js";
import { newId } from "../platform/ids.js";
import {
  PERSONAL_TOKEN_PREFIX,
  type Principal,
  type Role,
  type ShareView,
  type UserView,
} from "../protocol/people.js";
import type { Store, StoredUser, TokenRecord } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";
import { sessionRole } from "./accessPolicy.js";
import type { HubEvents } from "./HubEvents.js";
import { LastRead } from "./LastRead.js";
import { SHARE_TOKEN_KIND, ShareLinks } from "./ShareLinks.js";
import type { Tokens } from "./Tokens.js";

const USER_TOKEN_KIND = "user";
/** The access key's principal. */
export const OWNER: Principal = { id: "owner", name: "owner", role: "owner", via: "key" };

export class People {
  /**
   * Whether single sign-on still admits an address (its allow-list), set when the hub signs
   * people on; unset, sign-on is off and a sign-in made by it earlier no longer works.
   */
  private signOnAdmits: ((email: string) => boolean) | undefined;

  /** Users and grants as last read: what a person's role is while the store cannot be read. */
  private readonly usersRead = new LastRead<StoredUser | undefined>();
  private readonly grantsRead = new LastRead<Record<string, string>>();
  private readonly links: ShareLinks;

  constructor(
    private readonly store: Store,
    private readonly tokens: Tokens,
    private readonly bus: HubEvents,
  ) {
    this.links = new ShareLinks(store, tokens, bus);
    bus.on("access-revoked", () => {
      this.usersRead.reread();
      this.grantsRead.reread();
    });
  }

  list(): UserView[] {
    return this.store.people.users().map((user) => this.view(user));
  }

  /** Adds a user and returns their personal sign-in token (the only time it is shown). */
  add(request: { name: string; role: Role; email?: string | undefined }): { user: UserView; token: string } {
    const records = this.store.people;
    if (records.byName(request.name)) {
      throw new DispatchError("conflict", `a user named '${request.name}' already exists`);
    }
    if (request.email && records.byEmail(request.email)) {
      throw new DispatchError("conflict", `another user already has the email ${request.email}`);
    }
    const user: StoredUser = {
      id: newId(),
      name: request.name,
      role: request.role,
      email: request.email ?? null,
      createdAt: Date.now(),
    };
    records.insert(user);
    const token = this.tokens.issue({
      kind: USER_TOKEN_KIND,
      name: user.id,
      scope: "",
      prefix: PERSONAL_TOKEN_PREFIX,
    });
    return { user: this.view(user), token };
  }

  /** The user signing in by single sign-on, created on first sign-in with the allow-list's role. */
  ensureByEmail(email: string, role: Role): UserView {
    const existing = this.store.people.byEmail(email);
    if (existing) return this.view(existing);
    const name = this.store.people.byName(email) ? `${email}-${newId().slice(0, 6)}` : email;
    const user: StoredUser = { id: newId(), name, role, email, createdAt: Date.now() };
    this.store.people.insert(user);
    return this.view(user);
  }

  remove(name: string): UserView {
    const user = this.require(name);
    this.tokens.revoke(USER_TOKEN_KIND, user.id);
    this.store.people.remove(user.id);
    this.bus.emit("access-revoked");
    return this.view(user);
  }

  /** Sets a user's global role, or (with `sessionId`) their role on one session; `none` clears a grant. */
  setRole(name: string, role: Role | "none", sessionId?: string): UserView {
    const user = this.require(name);
    if (sessionId !== undefined) {
      this.store.people.setGrant(user.id, sessionId, role === "none" ? undefined : role);
    } else if (role === "none") {
      throw new DispatchError(
        "bad_request",
        "a user's global role is owner, writer or viewer; remove them with `users rm`",
      );
    } else {
      this.store.people.setRole(user.id, role);
    }
    return this.view(this.require(name));
  }

  /**
   * Single sign-on's allow-list, consulted on every request of a person who signed in by it:
   * taken off the list (the hub restarted with a new DISPATCH_OIDC_ALLOW), their sign-in stops
   * working, without an owner having to remove them too. Their user, role and grants are kept,
   * so putting the address back restores them.
   */
  useSignOn(admits: (email: string) => boolean): void {
    this.signOnAdmits = admits;
  }

  /**
   * Why a principal that signed in by single sign-on may no longer, said to the person; undefined
   * while it may (and for any other principal).
   */
  signOnRefusal(principal: Principal): string | undefined {
    if (principal.via !== "oidc") return undefined;
    const user = this.user(principal.id);
    if (!user) return undefined;
    if (!this.signOnAdmits) {
      return `single sign-on is off on this hub, so ${user.name}'s sign-in no longer works; sign in with a personal token (ask an owner)`;
    }
    if (user.email && this.signOnAdmits(user.email)) return undefined;
    return `${user.email ?? user.name} is no longer on this hub's sign-on allow-list; ask an owner to add it back`;
  }

  /**
   * The principal a live token record stands for when it is a personal token or a share link
   * (a key proof's, found by its hash); undefined for any other kind.
   */
  byTokenRecord(record: TokenRecord): Principal | undefined {
    if (record.kind === USER_TOKEN_KIND) {
      const user = this.user(record.name);
      return user ? this.principalOf(user, "token") : undefined;
    }
    return record.kind === SHARE_TOKEN_KIND ? this.links.principalOf(record) : undefined;
  }

  /**
   * A signed-in principal as it stands now: a user's re-read, so a role change takes effect at
   * once; undefined for a removed user, or a share link revoked or expired since it signed in.
   * While the store cannot be read (a PostgreSQL outage): a user as last read (`LastRead`), a
   * share link as it signed in (nothing can be revoked meanwhile: that is a store write) unless
   * it has expired.
   */
  refresh(principal: Principal, now = Date.now()): Principal | undefined {
    if (principal.via === "key") return principal;
    if (principal.via === "share") {
      try {
        return this.current(principal);
      } catch (err) {
        if (!isStorageError(err)) throw err;
        return principal.expiresAt !== undefined && principal.expiresAt <= now ? undefined : principal;
      }
    }
    return this.current(principal);
  }

  private current(principal: Principal): Principal | undefined {
    if (principal.via === "share") return this.links.isLive(principal) ? principal : undefined;
    const user = this.user(principal.id);
    if (!user || this.signOnRefusal(principal) !== undefined) return undefined;
    return this.principalOf(user, principal.via);
  }

  /**
   * The principal of a user by id (a web login remembers who signed in), if they still exist.
   * Throws `unauthorized` saying why for a single sign-on the allow-list no longer admits: the
   * person holds a real login and should hear why it stopped, not that it was mistyped.
   */
  byUserId(id: string, via: Principal["via"]): Principal | undefined {
    if (id === OWNER.id) return OWNER;
    const user = this.user(id);
    if (!user) return undefined;
    const principal = this.principalOf(user, via);
    const refusal = this.signOnRefusal(principal);
    if (refusal) throw new DispatchError("unauthorized", refusal);
    return principal;
  }

  /** A user by id, as the store has it (as last read while it cannot be read). */
  private user(id: string): StoredUser | undefined {
    return this.usersRead.read(id, () => this.store.people.byId(id));
  }

  /** A user's per-session grants, as the store has them (as last read while it cannot be read). */
  private grants(userId: string): Record<string, string> {
    return this.grantsRead.read(userId, () => this.store.people.grants(userId));
  }

  principalOf(user: UserView | StoredUser, via: Principal["via"]): Principal {
    return { id: user.id, name: user.name, role: user.role as Role, via };
  }

  /** The role this principal holds on a session (undefined: none). */
  roleOn(principal: Principal, sessionId: string): Role | undefined {
    const current = this.refresh(principal);
    if (!current) return undefined;
    // An owner's role on every session is owner whatever its grants say, so no store read: on
    // PostgreSQL each is a round trip, and this runs per client for every session change.
    // (failover helper, issue 17: minimal change outside its files; see its report)
    const grant =
      current.via === "share" || current.role === "owner" ? undefined : this.grants(current.id)[sessionId];
    return sessionRole(current, sessionId, grant as Role | undefined);
  }

  /**
   * The principal's role on each session where a grant makes it other than its global role, by
   * session id: one store read for all (an owner's and a share link's roles need none).
   */
  grantsOf(principal: Principal): Record<string, Role> {
    const current = this.refresh(principal);
    if (!current || current.via === "share" || current.role === "owner") return {};
    const grants = this.grants(current.id);
    return Object.fromEntries(Object.entries(grants).filter(([, role]) => role !== current.role)) as Record<
      string,
      Role
    >;
  }

  /** A share link to one session (`ShareLinks`): the token is shown once, stored hashed. */
  share(
    session: { id: string; name: string },
    role: Role,
    expiresAt?: number,
    label?: string,
  ): { share: ShareView; token: string } {
    return this.links.issue(session, role, expiresAt, label);
  }

  shares(nameOf: (sessionId: string) => string | null): ShareView[] {
    return this.links.list(nameOf);
  }

  /** Revokes a share link by its id (or a unique prefix of it). */
  revokeShare(idOrPrefix: string): ShareView {
    return this.links.revoke(idOrPrefix);
  }

  private require(name: string): StoredUser {
    const user = this.store.people.byName(name);
    if (!user) {
      const known = this.store.people.users().map((u) => u.name);
      throw new DispatchError(
        "not_found",
        `no user '${name}'${known.length > 0 ? `; users: ${known.join(", ")}` : "; add one with `dispatch users add NAME`"}`,
      );
    }
    return user;
  }

  private view(user: StoredUser): UserView {
    return {
      ...user,
      role: user.role as Role,
      grants: this.store.people.grants(user.id) as Record<string, Role>,
    };
  }
}
