/**
 * The SQLite event log: each session's append-only events, its screen snapshots, and retention
 * compacting both behind a snapshot. Appends are one transaction per batch, planned by the
 * engine-neutral rules of `planAppend`.
 */
import type Database from "better-sqlite3";
import type { SessionEvent } from "../../protocol/events.js";
import { planAppend } from "../appendRule.js";
import { eventChecksum } from "../eventChecksum.js";
import { type EventRow, encodeEventData, rowToEvent } from "../rows.js";
import type { SnapshotRecord } from "../Store.js";
import type { LockWait } from "./lockWait.js";

export class EventLog {
  /** Events from the last `appendBatch` that were refused: seq jumps and unknown sessions. */
  lastRejected: SessionEvent[] = [];

  /**
   * Last stored seq per session, so appending does not read the sessions table per event.
   * Only updated after a transaction commits, so a rollback cannot leave it ahead of the data.
   */
  private readonly seqCache = new Map<string, number>();
  private readonly stmt;
  /**
   * `appendBatch`'s transaction, made once: better-sqlite3's `db.transaction` builds five
   * wrapper functions and their properties each call, a tenth of the hub's garbage per key typed
   * (docs/BENCHMARKS.md, "The hub's garbage per key").
   */
  private readonly appendInTransaction: (events: readonly SessionEvent[]) => ReturnType<typeof planAppend>;

  constructor(
    private readonly db: Database.Database,
    private readonly lock: LockWait,
  ) {
    this.stmt = {
      sessionLastSeq: db.prepare<[string], { last_seq: number }>(
        "SELECT last_seq FROM sessions WHERE id = ?",
      ),
      insertEvent: db.prepare<[string, number, number, string, Buffer, number]>(
        "INSERT INTO events (session_id, seq, ts, type, data, checksum) VALUES (?, ?, ?, ?, ?, ?)",
      ),
      // Activity never moves backwards: a late batch of old output must not make a session look idle.
      updateTotals: db.prepare<[number, number, number | null, string]>(
        "UPDATE sessions SET last_seq = ?, bytes = bytes + ?, " +
          "last_activity_at = MAX(last_activity_at, COALESCE(?, last_activity_at)) WHERE id = ?",
      ),
      readEvents: db.prepare<[string, number, number], EventRow>(
        "SELECT seq, ts, type, data FROM events WHERE session_id = ? AND seq > ? ORDER BY seq LIMIT ?",
      ),
      countEvents: db.prepare<[string], { n: number }>(
        "SELECT COUNT(*) AS n FROM events WHERE session_id = ?",
      ),
      putSnapshot: db.prepare<[string, number, number, number, number, string, number]>(
        "INSERT OR REPLACE INTO snapshots (session_id, seq, ts, cols, rows, data, bytes) VALUES (?, ?, ?, ?, ?, ?, ?)",
      ),
      latestSnapshot: db.prepare<[string, number], Omit<SnapshotRecord, "session">>(
        "SELECT seq, ts, cols, rows, data, bytes FROM snapshots WHERE session_id = ? AND seq <= ? ORDER BY seq DESC LIMIT 1",
      ),
      snapshotPositions: db.prepare<[string], { seq: number; bytes: number }>(
        "SELECT seq, bytes FROM snapshots WHERE session_id = ? ORDER BY seq",
      ),
      compactEvents: db.prepare<[string, number]>("DELETE FROM events WHERE session_id = ? AND seq <= ?"),
      compactSearchLines: db.prepare<[string, number]>(
        "DELETE FROM search_lines WHERE session_id = ? AND seq <= ?",
      ),
      compactSnapshots: db.prepare<[string, number]>(
        "DELETE FROM snapshots WHERE session_id = ? AND seq < ?",
      ),
      firstSeq: db.prepare<[string], { seq: number | null }>(
        "SELECT MIN(seq) AS seq FROM events WHERE session_id = ?",
      ),
      outputTail: db.prepare<[string], { seq: number; length: number }>(
        "SELECT seq, LENGTH(data) AS length FROM events WHERE session_id = ? AND type = 'output' ORDER BY seq DESC",
      ),
      outputBytesAfter: db.prepare<[string, number], { bytes: number | null }>(
        "SELECT SUM(LENGTH(data)) AS bytes FROM events WHERE session_id = ? AND seq > ? AND type = 'output'",
      ),
      storedOutputBytes: db.prepare<[string], { bytes: number | null }>(
        "SELECT SUM(LENGTH(data)) AS bytes FROM events WHERE session_id = ? AND type = 'output'",
      ),
    };
    this.appendInTransaction = db.transaction((events: readonly SessionEvent[]) => {
      const planned = planAppend(events, (session) => this.storedLastSeq(session));
      for (const event of planned.appended) {
        const data = encodeEventData(event);
        const checksum = eventChecksum(event, data);
        this.stmt.insertEvent.run(event.session, event.seq, event.ts, event.type, data, checksum);
      }
      for (const [session, totals] of planned.totals) {
        this.stmt.updateTotals.run(totals.lastSeq, totals.bytes, totals.activity, session);
      }
      return planned;
    });
  }

  /** A session's last seq as its record was written (a new session, a revive). */
  knowLastSeq(sessionId: string, seq: number): void {
    this.seqCache.set(sessionId, seq);
  }

  /** Re-read the session's last seq on its next append (changed outside the append path). */
  forgetLastSeq(sessionId?: string): void {
    if (sessionId === undefined) this.seqCache.clear();
    else this.seqCache.delete(sessionId);
  }

  /** See `Store.appendBatch`. */
  appendBatch(events: readonly SessionEvent[]): SessionEvent[] {
    const plan = this.lock.write(() => this.appendInTransaction(events));
    for (const [session, totals] of plan.totals) this.seqCache.set(session, totals.lastSeq);
    this.lastRejected = plan.rejected;
    return plan.appended;
  }

  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[] {
    // SQLite treats a negative LIMIT as "no limit".
    const rows = this.stmt.readEvents.all(sessionId, afterSeq, limit ?? -1);
    return rows.map((row) => rowToEvent(sessionId, row));
  }

  countEvents(sessionId: string): number {
    return this.stmt.countEvents.get(sessionId)?.n ?? 0;
  }

  lastSeq(sessionId: string): number {
    return this.storedLastSeq(sessionId) ?? 0;
  }

  firstSeq(sessionId: string): number {
    return this.stmt.firstSeq.get(sessionId)?.seq ?? 0;
  }

  putSnapshot(snapshot: SnapshotRecord): void {
    const { session, seq, ts, cols, rows, data, bytes } = snapshot;
    this.lock.write(() => this.stmt.putSnapshot.run(session, seq, ts, cols, rows, data, bytes ?? 0));
  }

  snapshotPositions(sessionId: string): { seq: number; bytes: number }[] {
    return this.stmt.snapshotPositions.all(sessionId);
  }

  latestSnapshot(sessionId: string, atOrBeforeSeq?: number): SnapshotRecord | undefined {
    const row = this.stmt.latestSnapshot.get(sessionId, atOrBeforeSeq ?? Number.MAX_SAFE_INTEGER);
    return row ? { session: sessionId, ...row } : undefined;
  }

  /** See `Store.compactThrough`: events, their search lines and older snapshots, in one transaction. */
  compactThrough(sessionId: string, seq: number): void {
    const compact = this.db.transaction(() => {
      this.stmt.compactEvents.run(sessionId, seq);
      this.stmt.compactSearchLines.run(sessionId, seq);
      this.stmt.compactSnapshots.run(sessionId, seq);
    });
    this.lock.write(compact);
  }

  seqBeforeTailBytes(sessionId: string, bytes: number): number {
    let total = 0;
    for (const row of this.stmt.outputTail.iterate(sessionId)) {
      total += row.length;
      if (total >= bytes) return row.seq - 1;
    }
    return 0;
  }

  outputBytesAfter(sessionId: string, seq: number): number {
    return this.stmt.outputBytesAfter.get(sessionId, seq)?.bytes ?? 0;
  }

  storedOutputBytes(sessionId: string): number {
    return this.stmt.storedOutputBytes.get(sessionId)?.bytes ?? 0;
  }

  /** Last stored seq from the cache or the sessions table; undefined for an unknown session. */
  private storedLastSeq(sessionId: string): number | undefined {
    const cached = this.seqCache.get(sessionId);
    if (cached !== undefined) return cached;
    const row = this.stmt.sessionLastSeq.get(sessionId);
    if (!row) return undefined;
    this.seqCache.set(sessionId, row.last_seq);
    return row.last_seq;
  }
}
