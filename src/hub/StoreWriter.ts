/**
 * Batches events on their way into the store: what arrives during one turn of the event loop
 * is appended in a few transactions, then handed on (fan-out, acks). Clients are only ever sent
 * events that are stored, so "what a client saw" is always in the log.
 *
 * Two lanes, so a keystroke's echo never waits behind a flood's commit: events of a session
 * that just received input (`expectEcho`) are committed first, in their own small transaction,
 * and handed on before the bulk; bulk is committed in slices of at most
 * `BULK_COMMIT_MAX_BYTES`, one slice per turn, so the hub reads its sockets (the next input,
 * the next echo) between slices instead of after one long transaction. A session's events
 * always go out in seq order: a lane takes every pending event of its sessions, oldest first.
 *
 * It also keeps each session's log contiguous when a host skips seqs it can no longer send:
 * the hole is recorded as an explicit `gap` event instead of being rejected.
 *
 * A failed commit (disk full, I/O error) loses nothing: no event of the batch was stored or
 * acknowledged, so its host still holds them all. Each session of the batch then waits for a
 * resend (`awaitingResend`): later events are dropped, not taken as a seq jump (which would
 * record a false gap), until its host replays from the last stored seq (`onFailed` lets the
 * intake ask for that).
 */
import type { Logger } from "pino";
import { isOutputEvent, type SessionEvent } from "../protocol/events.js";
import type { Store } from "../store/Store.js";
import type { HubEvents } from "./HubEvents.js";
import { WalCheckpoints } from "./WalCheckpoints.js";

/** A writer that committed this recently counts as busy... */
const BUSY_WITHIN_MS = 2;
/** ...and gathers events this long before its next transaction. */
const BUSY_BATCH_MS = 2;
/** After input, a session's output skips that gathering this long (its echo, its redraw). */
const ECHO_WINDOW_MS = 500;
/**
 * Largest bulk transaction. A slice takes a few milliseconds to insert and commit on this
 * class of machine (SQLite appends ~150 MiB/s of 16 KiB events), which bounds how long an echo
 * arriving meanwhile waits for the event loop; four 64 KiB output events per commit keep the
 * per-transaction overhead small against the bytes written.
 */
const BULK_COMMIT_MAX_BYTES = 64 * 1024;
/**
 * Largest bulk transaction in events. Each event costs the event loop ~50 µs end to end (insert,
 * fan-out, screen, activity) whatever its size, so a 64 KiB slice of one-line events (a restart's
 * catch-up, 100 sessions printing lines) was ~1,300 events and a 50 ms turn, and a client's
 * connection or keystroke waited behind it.
 */
const BULK_COMMIT_MAX_EVENTS = 256;
/**
 * While a person types in any session, bulk slices are this far apart: the event loop is then
 * mostly idle when their keystroke or its echo arrives, instead of inside a flood's commit
 * (a flood is then stored at ~10 MiB/s, still more than a terminal can show; its host pauses
 * it meanwhile, as a real terminal's flow control would).
 */
const BULK_PAUSE_WHILE_TYPING_MS = 4;
/** What a non-output event counts as against the slice bound. */
const EVENT_OVERHEAD_BYTES = 64;

export interface StoredBatchEntry {
  event: SessionEvent;
  /** The host's binary frame for output events, forwarded to clients unchanged. */
  frame?: Uint8Array | undefined;
}

export interface StoreWriterOptions {
  store: Store;
  logger: Logger;
  /** Called with each committed batch, in order. */
  onStored: (entries: StoredBatchEntry[]) => void;
  /** A commit failed; these sessions wait for their hosts to resend from their last stored seq. */
  onFailed: (err: unknown, sessions: string[]) => void;
  /** Where another thread's WAL checkpoints are announced (`wal-checkpointed`). */
  bus?: HubEvents;
}

export class StoreWriter {
  private pending: StoredBatchEntry[] = [];
  private scheduled: NodeJS.Immediate | undefined;
  private delayed: NodeJS.Timeout | undefined;
  private lastFlushAt = 0;
  /** Until when someone counts as typing (in any session): bulk then yields between slices. */
  private typingUntil = 0;
  /** Next expected seq per session, counting events pending in this batch. */
  private readonly nextSeq = new Map<string, number>();
  /** Sessions whose next events answer a person's input: committed without the busy wait. */
  private readonly urgentUntil = new Map<string, number>();
  /** Sessions whose events after a failed commit are dropped until the host resends them. */
  private readonly awaiting = new Set<string>();

  /** An echo waits: its lane is committed once this turn's reads are done (a microtask). */
  private urgentQueued = false;
  private readonly checkpoints: WalCheckpoints;

  constructor(private readonly options: StoreWriterOptions) {
    this.checkpoints = new WalCheckpoints(options.store.wal, options.logger, options.bus);
  }

  /** Sessions still waiting for their host to resend after a failed commit. */
  get awaitingResend(): ReadonlySet<string> {
    return this.awaiting;
  }

  /** The seq after which the hub needs a session's events (stored or pending). */
  resumeAfter(session: string): number {
    return this.expected(session) - 1;
  }

  add(event: SessionEvent, frame?: Uint8Array): void {
    let expected: number;
    try {
      expected = this.expected(event.session);
    } catch (err) {
      // Even reading fails: treat it as a failed commit of this event, the host still holds it.
      this.failed(err, [event.session]);
      return;
    }
    if (event.seq < expected) return; // Already stored: a replay after reconnect.
    if (this.awaiting.has(event.session)) {
      // Sent before the host heard of the failure; it comes again with the resend.
      if (event.seq > expected && event.type !== "gap") return;
      this.awaiting.delete(event.session);
    }
    if (event.type === "gap") {
      const fromSeq = Math.max(Number(event.data.fromSeq) || expected, expected);
      this.enqueue({ event: { ...event, data: { ...event.data, fromSeq } } });
      return;
    }
    if (event.seq > expected) {
      this.options.logger.warn(
        { session: event.session, expected, got: event.seq },
        "seq jump from host; recording a gap",
      );
      this.enqueue({
        event: {
          session: event.session,
          seq: event.seq - 1,
          ts: event.ts,
          type: "gap",
          data: { fromSeq: expected, bytes: 0 },
        },
      });
    }
    this.enqueue({ event, frame });
  }

  /**
   * The session just got input: for a moment its events skip the busy writer's gathering, and
   * bulk yields between slices (someone types).
   */
  expectEcho(session: string, now = Date.now()): void {
    this.expectAnswer(session, now);
    this.typingUntil = now + ECHO_WINDOW_MS;
  }

  /**
   * Someone waits for events of the session already on their way (a host's answer held until
   * they are stored): they skip the gathering as an echo would. Nobody types, so the bulk of
   * other sessions goes on at its full rate and the log is checkpointed as usual.
   */
  expectAnswer(session: string, now = Date.now()): void {
    this.urgentUntil.set(session, now + ECHO_WINDOW_MS);
  }

  /** Forget cached seqs for a session (deleted, or its log re-based). */
  reset(session: string): void {
    this.nextSeq.delete(session);
    this.urgentUntil.delete(session);
    this.awaiting.delete(session);
  }

  /** Appends everything pending now, in one transaction (tests, shutdown, before a read-back). */
  flush(): void {
    this.unschedule();
    this.lastFlushAt = Date.now();
    const batch = this.pending;
    this.pending = [];
    this.commit(batch);
  }

  /**
   * One scheduled turn: the interactive lane, then one bulk slice; a next turn for what is
   * left, so sockets are read between slices.
   */
  private turn(): void {
    this.unschedule();
    this.lastFlushAt = Date.now();
    if (!this.commit(this.takeUrgent())) return;
    if (!this.commit(this.takeSlice())) return;
    if (this.pending.length === 0) return;
    if (Date.now() < this.typingUntil)
      this.delayed = setTimeout(() => this.turn(), BULK_PAUSE_WHILE_TYPING_MS);
    else this.scheduled = setImmediate(() => this.turn());
  }

  /** Every pending event of the sessions expecting an echo, in order. */
  private takeUrgent(): StoredBatchEntry[] {
    const now = Date.now();
    // Nobody typing (a restart's replay): no pass over a backlog of thousands of events per turn.
    if (!this.anyUrgent(now)) return [];
    const urgent: StoredBatchEntry[] = [];
    const rest: StoredBatchEntry[] = [];
    for (const entry of this.pending) {
      if ((this.urgentUntil.get(entry.event.session) ?? 0) > now) urgent.push(entry);
      else rest.push(entry);
    }
    if (urgent.length > 0) this.pending = rest;
    return urgent;
  }

  private anyUrgent(now: number): boolean {
    for (const [session, until] of this.urgentUntil) {
      if (until > now) return true;
      this.urgentUntil.delete(session);
    }
    return false;
  }

  /** The oldest pending events up to the slice bound (at least one). */
  private takeSlice(): StoredBatchEntry[] {
    let bytes = 0;
    let count = 0;
    while (
      count < this.pending.length &&
      (count === 0 || (bytes < BULK_COMMIT_MAX_BYTES && count < BULK_COMMIT_MAX_EVENTS))
    ) {
      bytes += storedSize(this.pending[count] as StoredBatchEntry);
      count += 1;
    }
    return this.pending.splice(0, count);
  }

  /** Appends `batch` in one transaction and hands it on; false when the commit failed. */
  private commit(batch: StoredBatchEntry[]): boolean {
    if (batch.length === 0) return true;
    let appended: SessionEvent[];
    try {
      appended = this.options.store.appendBatch(batch.map((entry) => entry.event));
    } catch (err) {
      this.failed(err, [...new Set(batch.map((entry) => entry.event.session))]);
      return false;
    }
    if (appended.length !== batch.length) {
      const kept = new Set(appended);
      this.options.onStored(batch.filter((entry) => kept.has(entry.event)));
    } else {
      this.options.onStored(batch);
    }
    // After the hand-on: a checkpoint's fsync never delays this batch's clients.
    let bytes = 0;
    for (const entry of batch) bytes += storedSize(entry);
    this.checkpoints.committed(bytes, Date.now() < this.typingUntil);
    return true;
  }

  private unschedule(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    if (this.delayed) clearTimeout(this.delayed);
    this.scheduled = undefined;
    this.delayed = undefined;
  }

  /**
   * The transaction rolled back (or never began): forget every cached seq, so each is re-read
   * from the store, and wait for the hosts to resend. Events pending for other sessions were in
   * the same transaction, so every session in it waits.
   */
  private failed(err: unknown, sessions: string[]): void {
    this.options.logger.error({ err, sessions: sessions.length }, "append failed; asking hosts to resend");
    for (const entry of this.pending) sessions.push(entry.event.session);
    this.pending = [];
    this.nextSeq.clear();
    for (const session of sessions) this.awaiting.add(session);
    this.options.onFailed(err, [...new Set(sessions)]);
  }

  private expected(session: string): number {
    const cached = this.nextSeq.get(session);
    if (cached !== undefined) return cached;
    const next = this.options.store.lastSeq(session) + 1;
    this.nextSeq.set(session, next);
    return next;
  }

  private enqueue(entry: StoredBatchEntry): void {
    this.pending.push(entry);
    this.nextSeq.set(entry.event.session, entry.event.seq + 1);
    if ((this.urgentUntil.get(entry.event.session) ?? 0) > Date.now()) {
      // An echo: committed right after the current socket read is handled (every frame of
      // that read is in by then), not a turn of the event loop later, behind other I/O.
      if (!this.urgentQueued) {
        this.urgentQueued = true;
        queueMicrotask(() => this.urgentTurn());
      }
      return;
    }
    this.scheduleBulk();
  }

  private urgentTurn(): void {
    this.urgentQueued = false;
    if (this.commit(this.takeUrgent()) && this.pending.length > 0) this.scheduleBulk();
  }

  private scheduleBulk(): void {
    if (this.scheduled || this.delayed) return;
    // Idle writer: commit on the next turn (an echo is not kept waiting). Busy writer (it
    // committed moments ago): gather for a couple of milliseconds, so a flood becomes fewer,
    // larger transactions.
    if (Date.now() - this.lastFlushAt < BUSY_WITHIN_MS) {
      this.delayed = setTimeout(() => this.turn(), BUSY_BATCH_MS);
    } else {
      this.scheduled = setImmediate(() => this.turn());
    }
  }
}

/** What an entry weighs against slices and acknowledgements: its frame or data, or a fixed overhead. */
export function storedSize({ event, frame }: StoredBatchEntry): number {
  if (frame) return frame.byteLength;
  return isOutputEvent(event) ? event.data.byteLength : EVENT_OVERHEAD_BYTES;
}
