/**
 * The PostgreSQL event log: each session's append-only events, its screen snapshots, and
 * retention compacting both behind a snapshot. A batch is one transaction with its events
 * inserted in multi-row statements; in cluster mode (`fence`) appends also check the host's
 * lease and notify the other nodes of what they stored.
 */
import type { SessionEvent } from "../../protocol/events.js";
import { planAppend } from "../appendRule.js";
import { eventChecksum } from "../eventChecksum.js";
import { type EventRow, encodeEventData, rowToEvent } from "../rows.js";
import type { SnapshotRecord } from "../Store.js";
import { textArray } from "./PgCluster.js";
import type { PgConnection } from "./PgConnection.js";

/** Longest NOTIFY payload sent (the server refuses 8000 bytes or more). */
const NOTIFY_PAYLOAD_BYTES = 7900;

/** Rows per multi-row event insert (6 parameters each, far below the protocol's 65535). */
const INSERT_CHUNK = 500;

function insertEventsSql(rows: number): string {
  const values: string[] = [];
  for (let i = 0; i < rows; i++) {
    const p = i * 6;
    values.push(`($${p + 1}, $${p + 2}, $${p + 3}, $${p + 4}, $${p + 5}, $${p + 6})`);
  }
  return `INSERT INTO events (session_id, seq, ts, type, data, checksum) VALUES ${values.join(", ")}`;
}

const INSERT_FULL_CHUNK_SQL = insertEventsSql(INSERT_CHUNK);

export class PgEventLog {
  lastRejected: SessionEvent[] = [];

  /**
   * Last stored seq per session, so appending does not read the sessions table per event.
   * Only updated after a transaction commits. Off in cluster mode (`fence`): another node may
   * have appended since.
   */
  private readonly seqCache = new Map<string, number>();
  private fence: { node: string; channel: string } | undefined;

  constructor(private readonly db: PgConnection) {}

  /** See `PostgresStore.fenceAppends`. */
  fenceAppends(options: { node: string; channel: string }): void {
    this.fence = options;
    this.seqCache.clear();
  }

  /** A session's last seq as its record was written (a new session). */
  knowLastSeq(sessionId: string, seq: number): void {
    this.seqCache.set(sessionId, seq);
  }

  /** Re-read the session's last seq on its next append (changed outside the append path). */
  forgetLastSeq(sessionId: string): void {
    this.seqCache.delete(sessionId);
  }

  appendBatch(events: readonly SessionEvent[]): SessionEvent[] {
    try {
      return this.append(events);
    } catch (err) {
      // A COMMIT whose answer was lost may have been carried out: the cached seqs would make the
      // host's resend of the same events collide with them for good. Read them again.
      for (const event of events) this.seqCache.delete(event.session);
      throw err;
    }
  }

  private append(events: readonly SessionEvent[]): SessionEvent[] {
    const fence = this.fence;
    const plan = this.db.transaction(() => {
      const leased = fence ? this.leasedLastSeqs(events, fence.node) : undefined;
      const planned = planAppend(events, (session) =>
        leased ? leased.get(session) : this.storedLastSeq(session),
      );
      this.insertEvents(planned.appended);
      for (const [session, totals] of planned.totals) {
        // Activity never moves backwards: a late batch of old output must not make a session look idle.
        this.db.execute(
          "UPDATE sessions SET last_seq = $1, bytes = bytes + $2, " +
            "last_activity_at = GREATEST(last_activity_at, COALESCE($3::double precision, last_activity_at)) " +
            "WHERE id = $4",
          [totals.lastSeq, totals.bytes, totals.activity, session],
          "append_totals",
        );
      }
      if (fence && planned.totals.size > 0) this.notifyStored(fence.channel, planned.totals);
      return planned;
    });
    if (!fence) for (const [session, totals] of plan.totals) this.seqCache.set(session, totals.lastSeq);
    this.lastRejected = plan.rejected;
    return plan.appended;
  }

  readEvents(sessionId: string, afterSeq: number, limit?: number): SessionEvent[] {
    const rows = this.db.query<EventRow>(
      "SELECT seq, ts, type, data FROM events WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3",
      [sessionId, afterSeq, limit ?? null],
      "events_read",
    );
    return rows.map((row) => rowToEvent(sessionId, row));
  }

  countEvents(sessionId: string): number {
    return (
      this.db.query<{ n: number }>(
        "SELECT COUNT(*) AS n FROM events WHERE session_id = $1",
        [sessionId],
        "events_count",
      )[0]?.n ?? 0
    );
  }

  lastSeq(sessionId: string): number {
    return this.storedLastSeq(sessionId) ?? 0;
  }

  firstSeq(sessionId: string): number {
    return (
      this.db.query<{ seq: number | null }>(
        "SELECT MIN(seq) AS seq FROM events WHERE session_id = $1",
        [sessionId],
        "events_first",
      )[0]?.seq ?? 0
    );
  }

  putSnapshot(snapshot: SnapshotRecord): void {
    const { session, seq, ts, cols, rows, data, bytes } = snapshot;
    this.db.execute(
      "INSERT INTO snapshots (session_id, seq, ts, cols, rows, data, bytes) VALUES ($1, $2, $3, $4, $5, $6, $7) " +
        "ON CONFLICT (session_id, seq) DO UPDATE SET ts = EXCLUDED.ts, cols = EXCLUDED.cols, " +
        "rows = EXCLUDED.rows, data = EXCLUDED.data, bytes = EXCLUDED.bytes",
      [session, seq, ts, cols, rows, data, bytes ?? 0],
      "snapshots_put",
    );
  }

  snapshotPositions(sessionId: string): { seq: number; bytes: number }[] {
    return this.db.query<{ seq: number; bytes: number }>(
      "SELECT seq, bytes FROM snapshots WHERE session_id = $1 ORDER BY seq",
      [sessionId],
      "snapshots_positions",
    );
  }

  latestSnapshot(sessionId: string, atOrBeforeSeq?: number): SnapshotRecord | undefined {
    const row = this.db.query<Omit<SnapshotRecord, "session">>(
      "SELECT seq, ts, cols, rows, data, bytes FROM snapshots WHERE session_id = $1 AND seq <= $2 " +
        "ORDER BY seq DESC LIMIT 1",
      [sessionId, atOrBeforeSeq ?? Number.MAX_SAFE_INTEGER],
      "snapshots_latest",
    )[0];
    return row ? { session: sessionId, ...row } : undefined;
  }

  compactThrough(sessionId: string, seq: number): void {
    this.db.transaction(() => {
      this.db.execute(
        "DELETE FROM events WHERE session_id = $1 AND seq <= $2",
        [sessionId, seq],
        "compact_events",
      );
      this.db.execute(
        "DELETE FROM search_lines WHERE session_id = $1 AND seq <= $2",
        [sessionId, seq],
        "compact_search",
      );
      this.db.execute(
        "DELETE FROM snapshots WHERE session_id = $1 AND seq < $2",
        [sessionId, seq],
        "compact_snapshots",
      );
    });
  }

  seqBeforeTailBytes(sessionId: string, bytes: number): number {
    // The running total from the newest event back, computed by the server: one query, no cursor.
    const row = this.db.query<{ seq: number }>(
      "SELECT seq FROM (SELECT seq, SUM(length(data)) OVER (ORDER BY seq DESC) AS total FROM events " +
        "WHERE session_id = $1 AND type = 'output') t WHERE total >= $2 ORDER BY seq DESC LIMIT 1",
      [sessionId, bytes],
      "events_tail_bytes",
    )[0];
    return row ? row.seq - 1 : 0;
  }

  outputBytesAfter(sessionId: string, seq: number): number {
    return (
      this.db.query<{ bytes: number | null }>(
        "SELECT SUM(length(data)) AS bytes FROM events WHERE session_id = $1 AND seq > $2 AND type = 'output'",
        [sessionId, seq],
        "events_bytes_after",
      )[0]?.bytes ?? 0
    );
  }

  storedOutputBytes(sessionId: string): number {
    return (
      this.db.query<{ bytes: number | null }>(
        "SELECT SUM(length(data)) AS bytes FROM events WHERE session_id = $1 AND type = 'output'",
        [sessionId],
        "events_bytes_stored",
      )[0]?.bytes ?? 0
    );
  }

  /** Inserts the appended events in as few statements as the chunk size allows. */
  private insertEvents(events: readonly SessionEvent[]): void {
    for (let start = 0; start < events.length; start += INSERT_CHUNK) {
      const chunk = events.slice(start, start + INSERT_CHUNK);
      const params: unknown[] = [];
      for (const event of chunk) {
        const data = encodeEventData(event);
        params.push(event.session, event.seq, event.ts, event.type, data, eventChecksum(event, data));
      }
      if (chunk.length === INSERT_CHUNK)
        this.db.execute(INSERT_FULL_CHUNK_SQL, params, "events_insert_chunk");
      else if (chunk.length === 1) this.db.execute(insertEventsSql(1), params, "events_insert_one");
      else this.db.execute(insertEventsSql(chunk.length), params);
    }
  }

  /** Last stored seq of each session of the batch whose host lease `node` holds (share-locked). */
  private leasedLastSeqs(events: readonly SessionEvent[], node: string): Map<string, number> {
    const ids = [...new Set(events.map((event) => event.session))];
    const rows = this.db.query<{ id: string; last_seq: number }>(
      "SELECT s.id, s.last_seq FROM sessions s JOIN host_leases l ON l.host_id = s.host " +
        "WHERE s.id = ANY($1::text[]) AND l.node_id = $2 FOR SHARE OF l",
      [textArray(ids), node],
      "append_leased",
    );
    return new Map(rows.map((row) => [row.id, row.last_seq]));
  }

  /** `session:seq` of each session's last stored event, in payloads under NOTIFY's 8000 bytes. */
  private notifyStored(channel: string, totals: ReadonlyMap<string, { lastSeq: number }>): void {
    let payload = "";
    for (const [session, { lastSeq }] of totals) {
      const item = `${session}:${lastSeq}`;
      if (payload.length + item.length + 1 > NOTIFY_PAYLOAD_BYTES) {
        this.db.execute("SELECT pg_notify($1, $2)", [channel, payload], "append_notify");
        payload = "";
      }
      payload = payload ? `${payload},${item}` : item;
    }
    if (payload) this.db.execute("SELECT pg_notify($1, $2)", [channel, payload], "append_notify");
  }

  /** Last stored seq from the cache or the sessions table; undefined for an unknown session. */
  private storedLastSeq(sessionId: string): number | undefined {
    const cached = this.fence ? undefined : this.seqCache.get(sessionId);
    if (cached !== undefined) return cached;
    const row = this.db.query<{ last_seq: number }>(
      "SELECT last_seq FROM sessions WHERE id = $1",
      [sessionId],
      "sessions_last_seq",
    )[0];
    if (!row) return undefined;
    if (!this.fence) this.seqCache.set(sessionId, row.last_seq);
    return row.last_seq;
  }
}
