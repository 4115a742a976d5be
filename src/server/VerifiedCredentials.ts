/**
 * Credentials this hub verified against its store, remembered so their holders are not locked
 * out while the store cannot be read (a PostgreSQL server that is down or unreachable): a
 * remote host dialing in again, a person reconnecting. The store always decides while it
 * answers; what is remembered is consulted only when a read fails for the storage's own reasons
 * (`isStorageError`), and a credential it does not hold is then refused with `storage_failing`
 * (the store is unavailable), never as an unknown token.
 *
 * Never a way around a revocation: every read that finds a token gone (revoked, expired,
 * unknown) forgets it, and whenever any access is taken away through this hub or any other node
 * of its cluster (the `access-revoked` event, which cluster nodes relay to each other) nothing
 * remembered counts until the store has been asked about it again (`doubt`), which starts at
 * once: a logout elsewhere must not leave every other holder unremembered. A revocation is a
 * store write, so while the store is down nothing can be revoked at all: what was live when it
 * went down stays live until it is back. A node that missed a revocation's notice (the store
 * went down between the write and the notice) still counts that token until the store is back
 * (docs/OPERATIONS.md, "PostgreSQL store").
 *
 * Keyed by the token's SHA-256 hash (as stored, so no secret is kept), each with what the
 * token stands for and when it expires (a share link's expiry is still honoured); at most
 * `MAX_REMEMBERED`, the least recently used dropped first.
 */
import { DispatchError } from "../core/errors.js";
import { isStorageError } from "../store/storageErrors.js";

/** Plenty for every host and person of one hub; a few hundred KB at most. */
export const MAX_REMEMBERED = 10_000;

/** What a refused holder is told while the store cannot be read. */
export const STORE_UNAVAILABLE =
  "the hub's store is unavailable, so it cannot check this credential now (this hub has not verified it since it started, or access was taken away meanwhile); try again once the store is back — `dispatch status` on the hub says what is failing";

/** A verified credential: what it stands for, and until when (null: until revoked). */
export interface Verified<T> {
  hash: string;
  value: T;
  expiresAt: number | null;
}

/** A remembered credential; `confirmed` once read from the store since the last doubt. */
interface Entry<T> extends Verified<T> {
  confirmed: boolean;
}

/** Remembered credentials read again per turn of the event loop after a doubt. */
const RECHECK_BATCH = 50;

export class VerifiedCredentials<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private recheckTimer: NodeJS.Timeout | undefined;

  constructor(
    /** Reads the credential with this hash from the store (undefined: not live); may throw. */
    private readonly read: (hash: string) => Verified<T> | undefined,
    private readonly limit = MAX_REMEMBERED,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  /**
   * What the credential with this hash stands for (undefined: not live), read from the store;
   * while the store cannot be read, what was remembered, or `storage_failing`.
   */
  one(hash: string, now = Date.now()): T | undefined {
    let found: Verified<T> | undefined;
    try {
      found = this.read(hash);
    } catch (err) {
      const remembered = this.recallOrThrow(err, [hash], now);
      return remembered[0]?.value;
    }
    if (found) this.remember(found);
    else this.entries.delete(hash);
    return found?.value;
  }

  /**
   * The live credentials whose hash begins with `prefix` (a key proof's key id), read by
   * `fresh`; while the store cannot be read, the ones remembered, or `storage_failing`.
   */
  byPrefix(prefix: string, fresh: () => Verified<T>[], now = Date.now()): Verified<T>[] {
    let found: Verified<T>[];
    try {
      found = fresh();
    } catch (err) {
      return this.recallOrThrow(err, this.withPrefix(prefix), now);
    }
    // What the store no longer lists under this prefix is gone.
    for (const hash of this.withPrefix(prefix)) this.entries.delete(hash);
    for (const verified of found) this.remember(verified);
    return found;
  }

  /**
   * Some access was taken away (here or on another cluster node), and which is not said:
   * nothing remembered counts until the store has been asked again, a first batch at once (so
   * a revocation made here is answered once those are settled), then a batch per turn of the
   * event loop; what the store no longer holds live is forgotten.
   */
  doubt(): void {
    for (const entry of this.entries.values()) entry.confirmed = false;
    this.recheck();
  }

  private recheck(): void {
    clearTimeout(this.recheckTimer);
    this.recheckTimer = undefined;
    const doubted = [...this.entries.values()].filter((entry) => !entry.confirmed).slice(0, RECHECK_BATCH);
    for (const { hash } of doubted) {
      let found: Verified<T> | undefined;
      try {
        found = this.read(hash);
      } catch (err) {
        if (!isStorageError(err)) throw err;
        // The rest stay doubted (never used) until a read succeeds for each, or a later doubt.
        return;
      }
      if (found) this.remember(found);
      else this.entries.delete(hash);
    }
    if (doubted.length === RECHECK_BATCH) this.scheduleRecheck();
  }

  private scheduleRecheck(): void {
    this.recheckTimer ??= setTimeout(() => this.recheck(), 0);
    this.recheckTimer.unref();
  }

  /** Rethrows anything but a storage error; else the confirmed entries of `hashes`, or `storage_failing`. */
  private recallOrThrow(err: unknown, hashes: string[], now: number): Verified<T>[] {
    if (!isStorageError(err)) throw err;
    const remembered = hashes.flatMap((hash) => this.recall(hash, now) ?? []);
    if (remembered.length > 0) return remembered;
    throw new DispatchError("storage_failing", STORE_UNAVAILABLE, { cause: err });
  }

  private remember(verified: Verified<T>): void {
    this.entries.delete(verified.hash);
    this.entries.set(verified.hash, { ...verified, confirmed: true });
    if (this.entries.size > this.limit) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
  }

  /** The remembered credential if confirmed and unexpired; a hit makes it the most recent. */
  private recall(hash: string, now: number): Verified<T> | undefined {
    const entry = this.entries.get(hash);
    if (!entry?.confirmed) return undefined;
    this.entries.delete(hash);
    if (entry.expiresAt !== null && entry.expiresAt <= now) return undefined;
    this.entries.set(hash, entry);
    return { hash: entry.hash, value: entry.value, expiresAt: entry.expiresAt };
  }

  private withPrefix(prefix: string): string[] {
    return [...this.entries.keys()].filter((hash) => hash.startsWith(prefix));
  }
}
