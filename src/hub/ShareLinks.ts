/**
 * Share links: tokens scoped to one session and a role, optionally expiring, shown once and
 * stored hashed. Apart from `People` because a link is no person: it has no user record, no
 * grants and no sign-on, only a token row; `People` answers for both and hands links to this.
 */
import { DispatchError } from "../core/errors.js";
import { type Principal, type Role, SHARE_TOKEN_PREFIX, type ShareView } from "../protocol/people.js";
import type { Store, TokenRecord } from "../store/Store.js";
import type { HubEvents } from "./HubEvents.js";
import type { Tokens } from "./Tokens.js";

export const SHARE_TOKEN_KIND = "share";
const SHARE_PRINCIPAL_PREFIX = "share:";

/**
 * How dispatch names a link's holder (`who`, the audit, "X's cell waits behind Y's cell"): by
 * the owner's label, the person first since that is what a reader looks for, and `(link)` so
 * the holder is not taken for the user of that name; without a label, by the link's id.
 */
function linkHolderName(record: { id: string; label: string | null }): string {
  return record.label ? `${record.label} (link)` : `link ${record.id.slice(0, 8)}`;
}

export class ShareLinks {
  constructor(
    private readonly store: Store,
    private readonly tokens: Tokens,
    private readonly bus: HubEvents,
  ) {}

  /** A share link to one session: the token is shown once, stored hashed. */
  issue(
    session: { id: string; name: string },
    role: Role,
    expiresAt?: number,
    label?: string,
  ): { share: ShareView; token: string } {
    const { id, token } = this.tokens.issueWithId({
      kind: SHARE_TOKEN_KIND,
      name: session.id,
      scope: role,
      prefix: SHARE_TOKEN_PREFIX,
      expiresAt,
      label,
    });
    const share: ShareView = {
      id,
      session: session.id,
      sessionName: session.name,
      role,
      createdAt: Date.now(),
      expiresAt: expiresAt ?? null,
      label: label ?? null,
    };
    return { share, token };
  }

  /** The live links, each with its session's name (`nameOf`; null: the session is gone). */
  list(nameOf: (sessionId: string) => string | null): ShareView[] {
    return this.store.people.shares().map((share) => ({
      ...share,
      role: share.role as Role,
      sessionName: nameOf(share.session),
    }));
  }

  /** Revokes a share link by its id (or a unique prefix of it). */
  revoke(idOrPrefix: string): ShareView {
    const matches = this.store.people.shares().filter((share) => share.id.startsWith(idOrPrefix));
    const match = matches[0];
    if (!match)
      throw new DispatchError("not_found", `no live share link '${idOrPrefix}'; see \`dispatch share ls\``);
    if (matches.length > 1) {
      throw new DispatchError(
        "bad_request",
        `'${idOrPrefix}' matches ${matches.length} share links; give more of the id`,
      );
    }
    this.store.people.revokeShare(match.id);
    this.bus.emit("access-revoked");
    return { ...match, role: match.role as Role, sessionName: null };
  }

  /** The principal a share link's token record stands for. */
  principalOf(record: TokenRecord): Principal {
    return {
      id: `${SHARE_PRINCIPAL_PREFIX}${record.id}`,
      name: linkHolderName(record),
      role: record.scope as Role,
      via: "share",
      session: record.name,
      ...(record.expiresAt ? { expiresAt: record.expiresAt } : {}),
    };
  }

  /** Whether a share link's principal still stands: neither revoked nor expired. */
  isLive(principal: Principal): boolean {
    return this.store.people.liveShare(principal.id.slice(SHARE_PRINCIPAL_PREFIX.length)) !== undefined;
  }
}
