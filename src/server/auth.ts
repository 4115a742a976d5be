/**
 * Authentication: who a request or socket is. Credentials are the access key (generated on
 * first start, stored 0600, or DISPATCH_KEY; it is the owner), a user's personal token, a
 * share link, or a web login cookie (a random token, stored hashed, remembering who signed
 * in). Every secret comparison is constant-time.
 *
 * One `FailureLimiter` guards every way in (REST, login, WebSocket upgrade and hello, the host
 * endpoint). It never locks the right credential out and never slows it: a credential is
 * checked at once and a good one passes at once; past a few failures from an address, each
 * further failure is answered only after a delay that doubles per failure (capped), and while
 * that address has many failures held, its further attempts are refused unchecked. So a
 * guesser gets a few guesses a second at most, however many sockets it opens.
 */
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { DispatchError } from "../core/errors.js";
import { OWNER, type People } from "../hub/People.js";
import { randomSecret, secretsEqual, type Tokens } from "../hub/Tokens.js";
import { tokenProofKeyFromHash } from "../platform/keyProof.js";
import { PERSONAL_TOKEN_PREFIX, type Principal, SHARE_TOKEN_PREFIX } from "../protocol/people.js";
import {
  type Arrival,
  KeyProofs,
  type ProofOutcome,
  type ProofSigner,
  type ProofSigners,
} from "./keyProofs.js";

/** Tokens-table kind of web login tokens (named by the user id, scoped by how they signed in). */
const WEB_TOKEN_KIND = "web";
/** What web logins were named before users existed (every one of them the owner). */
const LEGACY_WEB_LOGIN = "browser";
/** Name of the HttpOnly cookie holding a web login token. */
export const SESSION_COOKIE = "dispatch_session";
/** Failures within this window count towards an address's delay. */
const FAILURE_WINDOW_MS = 60_000;
/** Failures from one address answered at full speed (typos) before attempts are slowed. */
const FREE_FAILURES = 5;
/** The first delay once slowed; it doubles with every further failure. */
const BASE_DELAY_MS = 100;
/** The longest any attempt waits: slow for a guesser, bearable for the right key. */
const MAX_DELAY_MS = 2_000;
/** Failures held at once for one address; beyond that its attempts are refused unchecked. */
const MAX_WAITING_PER_ADDRESS = 16;

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

/** Slows repeated failures per address; see the module comment. */
export class FailureLimiter {
  private readonly failures = new Map<string, number[]>();
  private readonly waiting = new Map<string, number>();

  /** Recent failures from an address. */
  count(address: string, now = Date.now()): number {
    return this.recent(address, now).length;
  }

  /** How long the next failure from this address is held before it is answered. */
  delayMs(address: string, now = Date.now()): number {
    const over = this.count(address, now) - FREE_FAILURES;
    return over < 0 ? 0 : Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** over);
  }

  /**
   * One attempt from an address: refused unchecked while too many of its failures are still
   * being held; otherwise `check` runs at once, a success returns at once (the right
   * credential is never slowed), and a failure is held for the address's delay before the
   * caller may answer it. Returns undefined on failure.
   */
  async attempt<T>(address: string, check: () => T | undefined): Promise<T | undefined> {
    const held = this.waiting.get(address) ?? 0;
    if (held >= MAX_WAITING_PER_ADDRESS) {
      throw new DispatchError(
        "rate_limited",
        `too many failed sign-in attempts at once from ${address} (${this.count(address)} in the last minute); wait a moment and try again`,
      );
    }
    const result = check();
    if (result !== undefined) return result;
    this.recordFailure(address);
    const delay = this.delayMs(address);
    if (delay > 0) {
      this.waiting.set(address, held + 1);
      try {
        await new Promise((resolve) => setTimeout(resolve, delay));
      } finally {
        const left = (this.waiting.get(address) ?? 1) - 1;
        if (left <= 0) this.waiting.delete(address);
        else this.waiting.set(address, left);
      }
    }
    return undefined;
  }

  recordFailure(address: string, now = Date.now()): void {
    const recent = this.recent(address, now);
    recent.push(now);
    this.failures.set(address, recent);
  }

  private recent(address: string, now: number): number[] {
    const list = (this.failures.get(address) ?? []).filter((t) => now - t < FAILURE_WINDOW_MS);
    if (list.length === 0) this.failures.delete(address);
    return list;
  }
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

  constructor(
    private readonly accessKey: string,
    private readonly tokens: Tokens,
    private readonly people: People,
  ) {
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
    return this.tokens.byHashPrefix(keyId).flatMap((record) => {
      const principal = this.people.byTokenRecord(record);
      return principal ? [{ key: tokenProofKeyFromHash(record.hash).key, principal }] : [];
    });
  }

  /** The hub binds its port now: key proofs made before are refused (`KeyProofs.listening`). */
  listening(at = Date.now()): void {
    this.proofs.listening(at);
  }

  /** The principal a secret (access key, personal token, share link, web login) stands for. */
  principalFor(secret: string): Principal | undefined {
    if (secretsEqual(secret, this.accessKey)) return OWNER;
    const record = this.tokens.lookup(secret);
    if (!record) return undefined;
    if (record.kind === WEB_TOKEN_KIND) {
      // Logins from before people existed were all the owner's.
      if (record.name === LEGACY_WEB_LOGIN) return OWNER;
      return this.people.byUserId(
        record.name,
        record.scope === "oidc" || record.scope === "token" ? record.scope : "key",
      );
    }
    return this.people.byToken(secret);
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
    if (this.tokens.find(WEB_TOKEN_KIND, token)) this.tokens.revokeToken(token);
  }
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
