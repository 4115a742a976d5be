/**
 * Host tokens: one per remote host name, random, shown once, stored as a SHA-256 hash (tokens
 * table, kind `host`). The token decides the host's identity: a host that presents it is the
 * host of that name, whatever its hello claims. Revoking cuts the host off at once.
 *
 * A token verified once is remembered (`VerifiedCredentials`), so a host that dials in again
 * while the store cannot be read (a PostgreSQL outage) is still let in; after a revocation, here
 * or on another cluster node (`access-revoked`), a remembered token counts only once the store
 * has confirmed it again.
 */
import { DispatchError } from "../core/errors.js";
import { describeInvalidName, isValidName } from "../core/names.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import type { HubEvents } from "../hub/HubEvents.js";
import { sha256, type Tokens } from "../hub/Tokens.js";
import { tokenProofKeyFromHash } from "../platform/keyProof.js";
import type { Store, TokenRecord } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";
import { STORE_UNAVAILABLE, type Verified, VerifiedCredentials } from "./VerifiedCredentials.js";

const TOKEN_KIND = "host";
/** Prefix so a leaked token is recognisable (secret scanners, logs). */
const TOKEN_PREFIX = "dsh_";

/** A live host token record as remembered: the host it stands for. */
function verifiedHost(record: TokenRecord | undefined): Verified<string> | undefined {
  return record?.kind === TOKEN_KIND
    ? { hash: record.hash, value: record.name, expiresAt: record.expiresAt }
    : undefined;
}

export class HostTokens {
  /** Host tokens verified since the hub started, by hash: who they stand for. */
  private readonly verified = new VerifiedCredentials<string>((hash) =>
    verifiedHost(this.tokens.byHash(hash)),
  );

  constructor(
    private readonly tokens: Tokens,
    private readonly store: Store,
    /** The host monitor, or on a cluster node one that also reaches hosts linked elsewhere. */
    private readonly monitor: Pick<HostMonitor, "expect" | "cutOff">,
    private readonly bus: HubEvents,
  ) {
    bus.on("access-revoked", () => this.verified.doubt());
  }

  /** Issues the token for `name` (the only time it is ever shown). */
  create(name: string): { name: string; token: string } {
    if (!isValidName(name)) throw new DispatchError("bad_request", describeInvalidName(name));
    if (name === "local")
      throw new DispatchError("bad_request", "'local' is the hub's own host; pick another name");
    if (this.tokens.live(TOKEN_KIND, name) > 0) {
      throw new DispatchError(
        "conflict",
        `host '${name}' already has a token; revoke it first with \`dispatch hosts token revoke ${name}\``,
      );
    }
    const token = this.tokens.issue({ kind: TOKEN_KIND, name, scope: "host", prefix: TOKEN_PREFIX });
    this.monitor.expect(name);
    this.store.audit("client", "host-token-create", { host: name });
    return { name, token };
  }

  /**
   * The host id a token stands for; undefined when unknown or revoked. While the store cannot
   * be read: the host of a token verified before, else `storage_failing`.
   */
  verify(token: string): string | undefined {
    return this.verified.one(sha256(token));
  }

  /**
   * The live host tokens a proof's key id may name, each as the key its proofs are signed with
   * (derived from its stored hash: `platform/keyProof.ts`) and the host it stands for. While
   * the store cannot be read: those verified before, else `storage_failing`.
   */
  proofSigners(keyId: string): { key: string; principal: string }[] {
    return this.verified
      .byPrefix(keyId, () => this.tokens.byHashPrefix(keyId).flatMap((record) => verifiedHost(record) ?? []))
      .map(({ hash, value }) => ({ key: tokenProofKeyFromHash(hash).key, principal: value }));
  }

  /** The keys of the revoked host tokens a proof's key id may name (see `proofSigners`). */
  revokedProofKeys(keyId: string): string[] {
    let revoked: TokenRecord[];
    try {
      revoked = this.tokens.revokedByHashPrefix(keyId);
    } catch (err) {
      // Not "unknown token": that the store cannot say is what the host should hear.
      if (isStorageError(err)) throw new DispatchError("storage_failing", STORE_UNAVAILABLE, { cause: err });
      throw err;
    }
    return revoked
      .filter((record) => record.kind === TOKEN_KIND)
      .map((record) => tokenProofKeyFromHash(record.hash).key);
  }

  /** Revokes the host's token and drops its link at once. */
  revoke(name: string): { revoked: number; disconnected: boolean } {
    const revoked = this.tokens.revoke(TOKEN_KIND, name);
    if (revoked === 0) throw new DispatchError("not_found", `host '${name}' has no live token`);
    // No node may let the host in again on a token it remembers: each re-confirms what it holds.
    this.bus.emit("access-revoked");
    this.store.audit("client", "host-token-revoke", { host: name });
    const disconnected = this.monitor.cutOff(name, "token revoked");
    return { revoked, disconnected };
  }
}
