/**
 * Records as last read from the store, by key, for while it cannot be read (a PostgreSQL
 * outage): a signed-in person's user record and grants, so their role holds through the outage
 * as it stood when last read, rather than every request failing. Anything else thrown, or a key
 * never read, still throws. When access changes anywhere (the owner listens to
 * `access-revoked`), every key is read again at once (`reread`), so what is served from here
 * was read after the last change this hub heard of; nothing can change during an outage, since
 * a change is a store write. At most `MAX_LAST_READ` keys, the least recently read dropped first.
 */
import { isStorageError } from "../store/storageErrors.js";

export const MAX_LAST_READ = 10_000;

export class LastRead<T> {
  private readonly values = new Map<string, { value: T; fresh: () => T }>();

  constructor(private readonly limit = MAX_LAST_READ) {}

  /** `fresh()`, remembered; when it fails for the storage's own reasons, the last value read. */
  read(key: string, fresh: () => T): T {
    let value: T;
    try {
      value = fresh();
    } catch (err) {
      const last = this.values.get(key);
      if (!isStorageError(err) || !last) throw err;
      return last.value;
    }
    this.values.delete(key);
    this.values.set(key, { value, fresh });
    if (this.values.size > this.limit) {
      const oldest = this.values.keys().next().value;
      if (oldest !== undefined) this.values.delete(oldest);
    }
    return value;
  }

  /** Reads every key again; one the store cannot answer for now is forgotten. */
  reread(): void {
    for (const [key, last] of this.values) {
      try {
        last.value = last.fresh();
      } catch (err) {
        if (!isStorageError(err)) throw err;
        this.values.delete(key);
      }
    }
  }
}
