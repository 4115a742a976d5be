/**
 * One client's read position in one session's log. Each client reads from its own cursor:
 * while it keeps up, stored events are pushed to it live; when its socket backs up, it stops
 * taking live events and catches up from the store page by page as its socket drains. A slow
 * client therefore never slows the session or the other clients, and misses nothing that is
 * in the log. One that falls more than `lagLimitBytes` behind skips ahead to the latest
 * snapshot (the same final screen, without the intermediate frames) and continues live.
 *
 * The store is the truth: a catch-up read that fails (storage failing: a PostgreSQL outage)
 * is tried again until it succeeds, and a live batch that does not continue the client's
 * cursor (events committed but never announced, when a commit's answer was lost) is read
 * back from the store too. Either way the client gets every event, in order, once.
 */
import { backoffDelay } from "../core/backoff.js";
import { isOutputEvent, type JsonEvent, type SessionEvent } from "../protocol/events.js";
import { encodeOutputFrame } from "../protocol/frames.js";
import type { SnapshotRecord, Store } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";
import { resumeOverHole } from "./attachRule.js";
import { joinedReplay } from "./joinedReplay.js";
import type { StoredBatchEntry } from "./StoreWriter.js";
import { decodeScreen } from "./screen/snapshotData.js";

/** A client that has this much unsent data stops taking live events and catches up later. */
const LIVE_BACKLOG_BYTES = 1024 * 1024;
/** Catch-up reads stop while the client's socket holds this much. */
const PUMP_BACKLOG_BYTES = 512 * 1024;
/** Events per catch-up read (output events are at most 64 KiB each). */
const PUMP_PAGE_EVENTS = 64;
/** While catching up, how far behind the client is gets re-checked every this many pages. */
const LAG_CHECK_EVERY_PAGES = 16;
/**
 * After a failed catch-up read the next one waits the shared backoff (250 ms doubling, with
 * jitter so a hub's many clients do not retry in step), capped here while the store keeps
 * failing (each try of a silent PostgreSQL blocks the hub up to its timeout). A batch stored
 * meanwhile, or word that storage healed (`storage-healed`), retries at once: the store works
 * again.
 */
const RETRY_MAX_DELAY_MS = 5_000;
/** Default distance behind (output bytes) past which a client jumps to the latest snapshot. */
export const DEFAULT_LAG_LIMIT_BYTES = 4 * 1024 * 1024;

export interface ScreenSnapshot {
  session: string;
  seq: number;
  cols: number;
  rows: number;
  data: string;
}

/** What a subscription needs from a client connection. */
export interface SubscriberChannel {
  /** Bytes queued for this client and not yet written to its socket. */
  readonly backlog: number;
  /** A binary output frame and the output events in it (for the sender's accounting). */
  sendFrame(frame: Uint8Array, events: readonly SessionEvent[]): void;
  sendEvent(event: JsonEvent): void;
  /** The screen at `seq`; the client replaces what it shows with it. */
  sendSnapshot(snapshot: ScreenSnapshot): void;
  /** Calls `callback` once the client's queue has drained (or the client is gone). */
  whenDrained(callback: () => void): void;
}

export interface SubscriptionOptions {
  session: string;
  /** Seq of the last event the client already has. */
  cursor: number;
  channel: SubscriberChannel;
  store: Store;
  /** Replayed output may be joined: consecutive output events of a page in one frame. */
  coalesce?: boolean;
  lagLimitBytes?: number;
  /**
   * Takes and stores a snapshot of the current screen now, for a client far behind when the
   * latest stored one is older than its cursor (snapshots are rate-limited while streaming).
   */
  freshSnapshot?: () => Promise<void>;
  /** Test-only (`DISPATCH_TEST_CATCHUP_RETRY_MS`): every pause after a failed read this long. */
  retryPauseMs?: number | undefined;
}

export class Subscription {
  readonly session: string;
  private cursor: number;
  private live = false;
  private waiting = false;
  private closed = false;
  private pagesSinceLagCheck = 0;
  /** The next try of a catch-up read that failed. */
  private retry: NodeJS.Timeout | undefined;
  /** Catch-up reads that failed in a row: the next try's backoff (`core/backoff.ts`). */
  private failedReads = 0;

  constructor(private readonly options: SubscriptionOptions) {
    this.session = options.session;
    this.cursor = options.cursor;
  }

  /** Seq of the last event this client was sent. */
  get position(): number {
    return this.cursor;
  }

  /** Taking live events (not catching up from the store). */
  get isLive(): boolean {
    return this.live && !this.closed;
  }

  /**
   * Sends the snapshot when given (the cursor moves to its seq), then everything stored after
   * the cursor, then switches to live delivery.
   */
  start(snapshot?: SnapshotRecord): void {
    if (snapshot) this.jumpTo(snapshot);
    this.pump();
  }

  /** Starts from a snapshot of the current screen taken now (none was stored yet). */
  startFromFreshScreen(): void {
    if (!this.jumpToFreshSnapshot()) this.pump();
  }

  /** Newly stored events of this session. */
  offer(entries: readonly StoredBatchEntry[]): void {
    if (this.closed) return;
    if (!this.live) {
      // Catching up reads these from the store; a read that failed is tried now it works again.
      if (this.retry) this.retryNow();
      return;
    }
    for (const { event, frame } of entries) {
      if (event.seq <= this.cursor) continue;
      if (event.seq > this.cursor + 1) {
        // Events before this one were stored but never offered (a commit whose answer was lost
        // and that the host's resend then found stored): they are read back from the store.
        this.live = false;
        this.pump();
        return;
      }
      if (this.options.channel.backlog > LIVE_BACKLOG_BYTES) {
        // Too far behind for live delivery; everything from here on is read back from the store.
        this.live = false;
        this.pagesSinceLagCheck = LAG_CHECK_EVERY_PAGES;
        this.pump();
        return;
      }
      this.deliver(event, frame);
    }
  }

  /**
   * The store works again: a failed catch-up read waiting out its pause is tried now. False when
   * it failed again (a new pause is set).
   */
  storageHealed(): boolean {
    if (!this.retry || this.closed) return true;
    this.retryNow();
    return this.retry === undefined;
  }

  close(): void {
    this.closed = true;
    clearTimeout(this.retry);
    this.retry = undefined;
  }

  /** Catches up from the store; when the store fails, tries again later rather than stop. */
  private pump(): void {
    this.guarded(() => this.readPages());
  }

  /**
   * Runs a step that reads the store. A storage failure leaves the client not live (its events
   * are read back later) with a retry scheduled: without it the client would never be sent
   * another event.
   */
  private guarded(step: () => void): void {
    try {
      step();
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.live = false;
      if (this.closed || this.retry) return;
      const pause =
        this.options.retryPauseMs ?? backoffDelay(this.failedReads, Math.random, RETRY_MAX_DELAY_MS);
      this.failedReads++;
      this.retry = setTimeout(() => this.retryNow(), pause);
    }
  }

  private retryNow(): void {
    clearTimeout(this.retry);
    this.retry = undefined;
    this.pump();
  }

  private readPages(): void {
    const { channel, store } = this.options;
    while (!this.closed && !this.waiting) {
      if (channel.backlog > PUMP_BACKLOG_BYTES) {
        this.waiting = true;
        channel.whenDrained(() => {
          this.waiting = false;
          this.pump();
        });
        return;
      }
      if (++this.pagesSinceLagCheck > LAG_CHECK_EVERY_PAGES) {
        this.pagesSinceLagCheck = 0;
        if (this.skipAheadIfFarBehind() === "waiting") return;
      }
      const page = store.readEvents(this.session, this.cursor, PUMP_PAGE_EVENTS);
      this.failedReads = 0;
      if (page.length === 0) {
        this.live = true;
        return;
      }
      if ((page[0] as SessionEvent).seq > this.cursor + 1) {
        // History before this page was compacted away: continue from the snapshot covering it.
        const covering = store.latestSnapshot(this.session, (page[0] as SessionEvent).seq - 1);
        const snapshot = resumeOverHole(this.cursor, covering);
        if (snapshot && decodeScreen(snapshot.data) !== undefined) {
          this.jumpTo(snapshot);
          continue;
        }
      }
      if (this.options.coalesce) this.deliverJoined(page);
      else for (const event of page) this.deliver(event);
    }
  }

  /** A page of stored events with its output runs joined (`joinedReplay.ts`). */
  private deliverJoined(page: readonly SessionEvent[]): void {
    for (const part of joinedReplay(page)) {
      if ("event" in part) this.deliver(part.event);
      else {
        this.cursor = part.seq;
        this.options.channel.sendFrame(part.frame, part.run);
      }
    }
  }

  /** Jumps to the latest snapshot when far behind; "waiting" while a fresh one is being taken. */
  private skipAheadIfFarBehind(): "waiting" | undefined {
    const { store } = this.options;
    const limit = this.options.lagLimitBytes ?? DEFAULT_LAG_LIMIT_BYTES;
    if (store.outputBytesAfter(this.session, this.cursor) <= limit) return undefined;
    const snapshot = store.latestSnapshot(this.session);
    if (snapshot && snapshot.seq > this.cursor) {
      this.jumpTo(snapshot);
      return undefined;
    }
    return this.jumpToFreshSnapshot() ? "waiting" : undefined;
  }

  /** Asks for a snapshot of the current screen, then jumps to it and pumps; false if it cannot. */
  private jumpToFreshSnapshot(): boolean {
    const { store, freshSnapshot } = this.options;
    if (!freshSnapshot) return false;
    this.waiting = true;
    const resume = () => {
      this.waiting = false;
      this.guarded(() => {
        const taken = store.latestSnapshot(this.session);
        if (!this.closed && taken && taken.seq > this.cursor) this.jumpTo(taken);
        this.readPages();
      });
    };
    freshSnapshot().then(resume, resume);
    return true;
  }

  private jumpTo(snapshot: SnapshotRecord): void {
    const screen = decodeScreen(snapshot.data);
    if (screen === undefined) return;
    this.cursor = snapshot.seq;
    this.options.channel.sendSnapshot({
      session: this.session,
      seq: snapshot.seq,
      cols: snapshot.cols,
      rows: snapshot.rows,
      data: screen,
    });
  }

  private deliver(event: SessionEvent, frame?: Uint8Array): void {
    this.cursor = event.seq;
    if (isOutputEvent(event)) {
      this.options.channel.sendFrame(frame ?? encodeOutputFrame(event), [event]);
    } else {
      this.options.channel.sendEvent(event);
    }
  }
}
