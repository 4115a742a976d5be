/**
 * Live events of sessions whose intake another node owns. That node's append transaction
 * notifies `session:seq` (never the events: a NOTIFY payload is under 8000 bytes, and the
 * store already has them); here, for each session a client of this node is attached to, the
 * events after the lowest live client's position are read from the store and offered to the
 * session's subscriptions, whose cursors drop what a client already has. So a client attached
 * on this node gets exactly "everything after seq N", as from a local host: no gap, no
 * duplicate. Notifications arriving in one turn are read together, one read per session.
 *
 * A read that fails (the database away, this node's connection lost) keeps its session
 * pending and is tried again with backoff until it succeeds: the notification will not come
 * again, and a quiet session may print nothing more to prompt another read.
 */
import type { Logger } from "pino";
import { backoffDelay, WAITED_ON_MAX_MS } from "../../core/backoff.js";
import type { Store } from "../../store/Store.js";
import { isStorageError } from "../../store/storageErrors.js";
import type { Attachments } from "../Attachments.js";
import type { SessionDirectory } from "../SessionDirectory.js";

/** The channel appends notify on (payload: `session:seq` items joined by commas). */
export const EVENTS_CHANNEL = "dispatch_events";
/** Events per store read when feeding a session. */
const READ_PAGE_EVENTS = 256;

export interface RemoteFanOutOptions {
  store: Store;
  attachments: Attachments;
  directory: SessionDirectory;
  logger: Logger;
}

export class RemoteFanOut {
  /** Highest notified seq per session, waiting for this turn's read. */
  private readonly pending = new Map<string, number>();
  private scheduled: NodeJS.Immediate | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  /** Feeds in a row that met a failing store: the backoff attempt. */
  private failures = 0;

  constructor(private readonly options: RemoteFanOutOptions) {}

  /** A payload of `EVENTS_CHANNEL`. */
  notified(payload: string): void {
    for (const item of payload.split(",")) {
      const colon = item.lastIndexOf(":");
      const session = item.slice(0, colon);
      const seq = Number(item.slice(colon + 1));
      if (colon <= 0 || !Number.isInteger(seq)) continue;
      this.pending.set(session, Math.max(seq, this.pending.get(session) ?? 0));
    }
    this.schedule();
  }

  /** Notifications may have been missed (the LISTEN connection was lost): re-read every session. */
  resync(): void {
    for (const session of this.options.attachments.sessions())
      this.pending.set(session, Number.MAX_SAFE_INTEGER);
    this.schedule();
  }

  dispose(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.scheduled = undefined;
    this.retryTimer = undefined;
  }

  private schedule(): void {
    this.scheduled ??= setImmediate(() => {
      this.scheduled = undefined;
      this.feed();
    });
  }

  private feed(): void {
    const batch = [...this.pending];
    this.pending.clear();
    let failure: unknown;
    for (const [session, seq] of batch) {
      if (failure === undefined) {
        try {
          this.feedSession(session, seq);
          continue;
        } catch (err) {
          if (!isStorageError(err)) throw err;
          failure = err;
        }
      }
      // Kept for the retry, merged with whatever was notified meanwhile.
      this.pending.set(session, Math.max(seq, this.pending.get(session) ?? 0));
    }
    if (failure === undefined) {
      this.failures = 0;
      return;
    }
    const delayMs = backoffDelay(this.failures++, Math.random, WAITED_ON_MAX_MS);
    this.options.logger.warn(
      { err: failure, sessions: this.pending.size, delayMs },
      "could not read other nodes' session output for this node's clients; reading again",
    );
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.schedule();
    }, delayMs);
  }

  /** Offers `session`'s events up to `seq` to its live clients (their cursors drop repeats). */
  private feedSession(session: string, seq: number): void {
    const { store, attachments, directory } = this.options;
    const record = directory.get(session);
    if (record && seq !== Number.MAX_SAFE_INTEGER && seq > record.lastSeq)
      directory.touch(session, { lastSeq: seq }, false);
    const positions = attachments.livePositions(session);
    if (positions.length === 0) return;
    let from = Math.min(...positions);
    while (from < seq) {
      const page = store.readEvents(session, from, READ_PAGE_EVENTS);
      if (page.length === 0) break;
      attachments.offer(
        session,
        page.map((event) => ({ event })),
      );
      from = page[page.length - 1]?.seq ?? seq;
      if (page.length < READ_PAGE_EVENTS) break;
    }
  }
}
