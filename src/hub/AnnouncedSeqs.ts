/**
 * The last seq of each session announced as `stored`, so a batch that does not continue it is
 * completed from the store first. Such a hole means events were committed but never announced:
 * a COMMIT carried out by PostgreSQL whose answer was lost, counted failed, then found stored
 * by the host's resend. Records, screens, search and clients then see them like any other.
 */
import type { Store } from "../store/Store.js";
import type { StoredBatchEntry } from "./StoreWriter.js";

export class AnnouncedSeqs {
  private readonly last = new Map<string, number>();

  constructor(private readonly store: Store) {}

  /** `batch` (of one session, just committed), preceded by what was stored but not announced. */
  complete(session: string, batch: StoredBatchEntry[]): StoredBatchEntry[] {
    const first = (batch[0] as StoredBatchEntry).event.seq;
    const before = this.last.get(session);
    this.last.set(session, (batch[batch.length - 1] as StoredBatchEntry).event.seq);
    if (before === undefined || first <= before + 1) return batch;
    let missing: StoredBatchEntry[];
    try {
      missing = this.store
        .readEvents(session, before, first - before - 1)
        .filter((event) => event.seq < first)
        .map((event) => ({ event }));
    } catch {
      // The store failed again: each client reads what it lacks from the store by itself.
      return batch;
    }
    return [...missing, ...batch];
  }

  /** Unknown again: the log continues from the store (revive), another node, or is gone. */
  forget(session: string): void {
    this.last.delete(session);
  }
}
