/**
 * Host tokens: one per remote host name, random, shown once, stored as a SHA-256 hash (tokens
 * table, kind `host`). The token decides the host's identity: a host that presents it is the
 * host of that name, whatever its hello claims. Revoking cuts the host off at once.
 */
import { DispatchError } from "../core/errors.js";
import { describeInvalidName, isValidName } from "../core/names.js";
import type { HostMonitor } from "../hub/HostMonitor.js";
import type { Tokens } from "../hub/Tokens.js";
import { tokenProofKeyFromHash } from "../platform/keyProof.js";
import type { Store } from "../store/Store.js";

const TOKEN_KIND = "host";
/** Prefix so a leaked token is recognisable (secret scanners, logs). */
const TOKEN_PREFIX = "dsh_";

export class HostTokens {
  constructor(
    private readonly tokens: Tokens,
    private readonly store: Store,
    /** The host monitor, or on a cluster node one that also reaches hosts linked elsewhere. */
    private readonly monitor: Pick<HostMonitor, "expect" | "cutOff">,
  ) {}

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

  /** The host id a token stands for; undefined when unknown or revoked. */
  verify(token: string): string | undefined {
    return this.tokens.find(TOKEN_KIND, token)?.name;
  }

  /**
   * The live host tokens a proof's key id may name, each as the key its proofs are signed with
   * (derived from its stored hash: `platform/keyProof.ts`) and the host it stands for.
   */
  proofSigners(keyId: string): { key: string; principal: string }[] {
    return this.tokens
      .byHashPrefix(keyId)
      .filter((record) => record.kind === TOKEN_KIND)
      .map((record) => ({ key: tokenProofKeyFromHash(record.hash).key, principal: record.name }));
  }

  /** The keys of the revoked host tokens a proof's key id may name (see `proofSigners`). */
  revokedProofKeys(keyId: string): string[] {
    return this.tokens
      .revokedByHashPrefix(keyId)
      .filter((record) => record.kind === TOKEN_KIND)
      .map((record) => tokenProofKeyFromHash(record.hash).key);
  }

  /** Revokes the host's token and drops its link at once. */
  revoke(name: string): { revoked: number; disconnected: boolean } {
    const revoked = this.tokens.revoke(TOKEN_KIND, name);
    if (revoked === 0) throw new DispatchError("not_found", `host '${name}' has no live token`);
    this.store.audit("client", "host-token-revoke", { host: name });
    const disconnected = this.monitor.cutOff(name, "token revoked");
    return { revoked, disconnected };
  }
}
