/**
 * Authentication: who a request or socket is. Credentials are the access key (generated on
 * first start, stored 0600, or DISPATCH_KEY; it is the owner), a user's personal token, a
 * share link, or a web login cookie (a random token, stored hashed, remembering who signed
 * in). Every secret comparison is constant-time.
 *
 * Every way in goes through one `FailureLimiter`, which slows repeated failures per address.
 *
 * Tokens verified since the hub started are remembered (`VerifiedCredentials`): while the store
 * cannot be read, a person whose token was verified before is still let in, and anyone else is
 * told the store is unavailable. Once any access is taken away (`access-revoked`), a remembered
 * token counts only after the store has confirmed it again.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { DispatchError } from "../core/errors.js";
import type { HubEvents } from "../hub/HubEvents.js";
import { OWNER, type People } from "../hub/People.js";
import { randomSecret, secretsEqual, sha256, type Tokens } from "../hub/Tokens.js";
import { tokenProofKeyFromHash } from "../platform/keyProof.js";
import { PERSONAL_TOKEN_PREFIX, type Principal, SHARE_TOKEN_PREFIX } from "../protocol/people.js";
import type { TokenRecord } from "../store/Store.js";
import { FailureLimiter } from "./FailureLimiter.js";
import {
  type Arrival,
  KeyProofs,
  type ProofOutcome,
  type ProofSigner,
  type ProofSigners,
} from "./keyProofs.js";
import { type Verified, VerifiedCredentials } from "./VerifiedCredentials.js";

/** Tokens-table kind of web login tokens (named by the user id, scoped by how they signed in). */
const WEB_TOKEN_KIND = "web";
/** What web logins were named before users existed (every one of them the owner). */
const LEGACY_WEB_LOGIN = "browser";
/** Name of the HttpOnly cookie holding a web login token. */
export const SESSION_COOKIE = "dispatch_session";
/** Reads the access key from `DISPATCH_KEY` or the key file, creating the file if needed. */
export function loadAccessKey(
  keyFile: string,
  fromEnv: string | undefined,
): { key: string; source: "env" | "file" | "new" } {
  if (fromEnv && fromEnv.length > 0) return { key: fromEnv, source: "env" };
  try {
    const key = readFileSync(keyFile, "utf8").trim();
    if (key.length > 0) return { key, source: "file" };
  } catch {
    // No key yet: first start generates one below.
  }
  const key = randomSecret(24);
  writeFileSync(keyFile, `${key}\n`, { mode: 0o600 });
  chmodSync(keyFile, 0o600);
  return { key, source: "new" };
}

/** What a request or upgrade presented. */
export interface PresentedHeaders {
  authorization?: string | undefined;
  cookie?: string | undefined;
}

/** Turns credentials into principals; issues and revokes web login tokens. */
export class Authenticator {
  readonly limiter = new FailureLimiter();
  /** Every proof the hub takes, whoever signs it: one memory of nonces, one start time. */
  private readonly proofs = new KeyProofs();
  /** Who signs a person's proofs: the access key, personal tokens and share links. */
  readonly personSigners: ProofSigners;
  /** Secrets presented as such (tokens, share links, web logins) verified since the hub started. */
  private readonly verified = new VerifiedCredentials<Principal>((hash) =>
    this.readToken(hash, (record) => this.recordPrincipal(record)),
  );
  /**
   * Tokens that signed a key proof since the hub started: kept apart, so no other kind (a web
   * login) is ever taken as a proof's signer from memory (see `tokenSigners`).
   */
  private readonly verifiedSigners = new VerifiedCredentials<Principal>((hash) =>
    this.readToken(hash, (record) => this.people.byTokenRecord(record)),
  );

  constructor(
    private readonly accessKey: string,
    private readonly tokens: Tokens,
    private readonly people: People,
    private readonly bus: HubEvents,
  ) {
    bus.on("access-revoked", () => {
      this.verified.doubt();
      this.verifiedSigners.doubt();
    });
    this.personSigners = {
      accessKey: { key: accessKey, principal: OWNER },
      byKeyId: (keyId) => this.tokenSigners(keyId),
    };
  }

  /**
   * The personal tokens and share links a token proof's key id may name, each with the key
   * derived from its stored hash. Only these kinds: a copy of the database would let anyone
   * sign as any of them (docs/OPERATIONS.md, "Security"), not as a host, a session or a login.
   * Never the owner: a cluster's database holds the access key's SHA-256, so the access key is
   * proven with the key itself (the CLI tells it from a token by the token's prefix).
   */
  private tokenSigners(keyId: string): ProofSigner[] {
    return this.verifiedSigners
      .byPrefix(keyId, () =>
        this.tokens.byHashPrefix(keyId).flatMap((record) => {
          const principal = this.people.byTokenRecord(record);
          return principal ? [verifiedAs(record, principal)] : [];
        }),
      )
      .map(({ hash, value }) => ({ key: tokenProofKeyFromHash(hash).key, principal: value }));
  }

  /** The hub binds its port now: key proofs made before are refused (`KeyProofs.listening`). */
  listening(at = Date.now()): void {
    this.proofs.listening(at);
  }

  /**
   * The principal a secret (access key, personal token, share link, web login) stands for.
   * While the store cannot be read: the one a token verified before stood for, else
   * `storage_failing`.
   */
  principalFor(secret: string): Principal | undefined {
    if (secretsEqual(secret, this.accessKey)) return OWNER;
    return this.verified.one(sha256(secret));
  }

  /** Who the live token with this hash stands for (as `principalOf` says), read from the store. */
  private readToken(
    hash: string,
    principalOf: (record: TokenRecord) => Principal | undefined,
  ): Verified<Principal> | undefined {
    const record = this.tokens.byHash(hash);
    const principal = record && principalOf(record);
    return principal && verifiedAs(record, principal);
  }

  private recordPrincipal(record: TokenRecord): Principal | undefined {
    if (record.kind !== WEB_TOKEN_KIND) return this.people.byTokenRecord(record);
    // Logins from before people existed were all the owner's.
    if (record.name === LEGACY_WEB_LOGIN) return OWNER;
    return this.people.byUserId(
      record.name,
      record.scope === "oidc" || record.scope === "token" ? record.scope : "key",
    );
  }

  /**
   * Checks a presented secret through the limiter: waits the address's delay, then returns
   * the principal or throws `unauthorized` (counted as a failure).
   */
  async verify(secret: string, address: string, hint: string): Promise<Principal> {
    const principal = await this.limiter.attempt(address, () => this.principalFor(secret));
    if (principal) return principal;
    const count = this.limiter.count(address);
    const slowed =
      this.limiter.delayMs(address) > 0
        ? `; ${count} failed attempts from ${address}, so attempts are slowed`
        : "";
    throw new DispatchError("unauthorized", `${hint}${slowed}`);
  }

  /**
   * Authenticates request headers (`Authorization: Bearer SECRET`, a proof of the access key or
   * of a personal token or share link, or the login
   * cookie): the principal, `undefined` when nothing was presented, or throws `unauthorized`.
   * A key proof needs `arrival`, what it was signed for.
   */
  async authenticate(
    headers: PresentedHeaders,
    address: string,
    arrival?: Arrival,
  ): Promise<Principal | undefined> {
    if (KeyProofs.presented(headers.authorization)) {
      if (!arrival) throw new DispatchError("unauthorized", "a key proof needs the request it was made for");
      const outcome = await this.prove(headers.authorization, address, arrival, this.personSigners);
      if ("principal" in outcome) return outcome.principal;
      throw new DispatchError("unauthorized", outcome.refusal);
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(headers.authorization ?? "")?.[1]?.trim();
    const secret = bearer || readCookie(headers.cookie, SESSION_COOKIE);
    if (!secret) return undefined;
    return this.verify(
      secret,
      address,
      refusedSecretHint(
        secret,
        bearer
          ? "wrong access key or token: send `Authorization: Bearer KEY` with the key in access.key"
          : "your sign-in has expired or was revoked; sign in again",
      ),
    );
  }

  /**
   * Checks the key proof in `authorization` (`KeyProofs.check`) against `signers` through the
   * limiter: a refusal counts as a failed sign-in from `address` and is answered after its delay.
   * For the routes that take other tokens' proofs (a host's at `/host`, a session's at notify).
   */
  async prove<P>(
    authorization: string | undefined,
    address: string,
    arrival: Arrival,
    signers: ProofSigners<P>,
  ): Promise<ProofOutcome<P>> {
    let outcome: ProofOutcome<P> | undefined;
    await this.limiter.attempt(address, () => {
      outcome = this.proofs.check(authorization, arrival, signers);
      return "principal" in outcome ? true : undefined;
    });
    return outcome ?? { refusal: "the key proof could not be checked" };
  }

  /**
   * The `Dispatch-Hub-Proof` answer to a request whose key proof `authenticate` or `prove` accepted, so
   * the CLI knows this hub holds the key; undefined for any other credential.
   */
  answerProof(headers: PresentedHeaders): string | undefined {
    return this.proofs.answer(headers.authorization);
  }

  /** A new login token for a browser, remembering who signed in; only its hash is stored. */
  issueWebToken(principal: Principal): string {
    // A share link's cookie is the link itself, so revoking or expiring the link ends it.
    return this.tokens.issue({ kind: WEB_TOKEN_KIND, name: principal.id, scope: principal.via });
  }

  revokeWebToken(token: string): void {
    // Only web logins are revoked here: logging out of a share link must not revoke the link.
    if (this.tokens.find(WEB_TOKEN_KIND, token) && this.tokens.revokeToken(token)) {
      // Signed out here, remembered nowhere: every node forgets the tokens it verified.
      this.bus.emit("access-revoked");
    }
  }
}

function verifiedAs(record: TokenRecord, principal: Principal): Verified<Principal> {
  return { hash: record.hash, value: principal, expiresAt: record.expiresAt };
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(";")) {
    const eq = part.indexOf("=");
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function sessionCookie(token: string, secure: boolean, maxAgeSeconds = 2_592_000): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/; Max-Age=${maxAgeSeconds}${secure ? "; Secure" : ""}`;
}

export function clearedSessionCookie(secure = false): string {
  return `${SESSION_COOKIE}=; HttpOnly; SameSite=Strict; Path=/; Max-Age=0${secure ? "; Secure" : ""}`;
}

/** A share link that does not work, said to whoever holds it. */
export const SHARE_LINK_REFUSED = "this share link is unknown, expired or revoked; ask for a new one";
/**
 * A share link the hub cannot check (its store is unavailable, and the link is not one it
 * verified before, `VerifiedCredentials`), said to whoever opened it: the link may well be
 * good, and there is nothing for them to do but come back.
 */
export const SHARE_LINK_UNCHECKED =
  "The hub cannot check this share link right now because its store is unavailable. Try again shortly.";

/**
 * What a refused secret is told. A share link or personal token is named as such (its prefix
 * is the caller's own, so this reveals nothing): pointing its holder at the access key would
 * send them looking for a file they never had.
 */
export function refusedSecretHint(secret: string, otherwise: string): string {
  if (secret.startsWith(SHARE_TOKEN_PREFIX)) return SHARE_LINK_REFUSED;
  if (secret.startsWith(PERSONAL_TOKEN_PREFIX)) {
    return "this personal token is unknown or its user was removed; ask an owner for a new one (`dispatch users add`)";
  }
  return otherwise;
}
