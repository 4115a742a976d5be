/**
 * Mapping between records in memory (camelCase, parsed JSON, bytes) and SQLite rows
 * (snake_case columns, JSON text, BLOBs). Kept apart from the queries so each column's
 * encoding is written down once.
 */
import { DispatchError } from "../core/errors.js";
import { EVENT_VERSION, isOutputEvent, type SessionEvent } from "../protocol/events.js";
import type { SessionRecord, SessionStatus } from "../protocol/session.js";

export type { SessionRecord } from "../protocol/session.js";

export interface SessionRow {
  id: string;
  name: string;
  kind: string;
  host: string;
  status: string;
  exit_code: number | null;
  reason: string | null;
  command: string;
  cwd: string;
  cols: number;
  rows: number;
  pid: number | null;
  foreground: string | null;
  created_at: number;
  last_activity_at: number;
  last_seq: number;
  bytes: number;
  preview: string;
  env: string;
  meta: string;
  project: string | null;
}

type Field = keyof SessionRecord;

/** Column and encoder for each record field; JSON-valued fields are stored as text. */
const COLUMNS: { [K in Field]: { column: keyof SessionRow; encode?: (value: SessionRecord[K]) => unknown } } =
  {
    id: { column: "id" },
    name: { column: "name" },
    kind: { column: "kind" },
    host: { column: "host" },
    status: { column: "status" },
    exitCode: { column: "exit_code" },
    reason: { column: "reason" },
    command: { column: "command", encode: (v) => JSON.stringify(v) },
    cwd: { column: "cwd" },
    cols: { column: "cols" },
    rows: { column: "rows" },
    pid: { column: "pid" },
    foreground: { column: "foreground" },
    createdAt: { column: "created_at" },
    lastActivityAt: { column: "last_activity_at" },
    lastSeq: { column: "last_seq" },
    bytes: { column: "bytes" },
    preview: { column: "preview" },
    env: { column: "env", encode: (v) => JSON.stringify(v) },
    meta: { column: "meta", encode: (v) => JSON.stringify(v ?? {}) },
    project: { column: "project" },
  };

export const SESSION_FIELDS = Object.keys(COLUMNS) as Field[];

/** The sessions table's columns, in one order both engines select and insert them in. */
export const SESSION_COLUMN_LIST: readonly (keyof SessionRow)[] = SESSION_FIELDS.map(
  (field) => COLUMNS[field].column,
);
export const SESSION_COLUMNS = SESSION_COLUMN_LIST.join(", ");

/** The column a record field is stored in, or undefined for a key that is not a field. */
export function columnOf(field: string): keyof SessionRow | undefined {
  return Object.hasOwn(COLUMNS, field) ? COLUMNS[field as Field].column : undefined;
}

/** Encodes one field's value for binding to its column. */
export function encodeField<K extends Field>(field: K, value: SessionRecord[K]): unknown {
  const spec = COLUMNS[field] as { encode?: (value: SessionRecord[K]) => unknown };
  // better-sqlite3 rejects booleans and undefined; a missing nullable field is NULL.
  if (value === undefined) return null;
  return spec.encode ? spec.encode(value) : value;
}

/**
 * The columns a partial update sets and their encoded values, in the same order (both engines'
 * `updateSession`). An explicit `undefined` means "not given"; nullable fields are cleared with
 * null; `id` and keys that are not fields are ignored.
 */
export function patchColumns(patch: Partial<Omit<SessionRecord, "id">>): {
  columns: string[];
  values: unknown[];
} {
  const columns: string[] = [];
  const values: unknown[] = [];
  for (const [field, value] of Object.entries(patch)) {
    const column = columnOf(field);
    if (!column || field === "id" || value === undefined) continue;
    columns.push(column);
    values.push(encodeField(field as Field, value as never));
  }
  return { columns, values };
}

/** Named bind parameters (`@column`) for a whole record. */
export function sessionParams(rec: SessionRecord): Record<string, unknown> {
  const params: Record<string, unknown> = {};
  for (const field of SESSION_FIELDS) params[COLUMNS[field].column] = encodeField(field, rec[field]);
  return params;
}

export function rowToSession(row: SessionRow): SessionRecord {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    host: row.host,
    status: row.status as SessionStatus,
    exitCode: row.exit_code,
    reason: row.reason,
    command: JSON.parse(row.command) as string[],
    cwd: row.cwd,
    cols: row.cols,
    rows: row.rows,
    pid: row.pid,
    foreground: row.foreground,
    createdAt: row.created_at,
    lastActivityAt: row.last_activity_at,
    lastSeq: row.last_seq,
    bytes: row.bytes,
    preview: row.preview,
    env: JSON.parse(row.env) as Record<string, string>,
    meta: JSON.parse(row.meta) as Record<string, unknown>,
    project: row.project,
  };
}

export interface EventRow {
  seq: number;
  ts: number;
  type: string;
  data: Buffer;
}

/**
 * The BLOB stored for an event. Output is the raw bytes (a view, not a copy: it is the hot
 * path). Other events are a JSON envelope `{v, d}` so the payload format can change later
 * and old rows are still recognised.
 */
export function encodeEventData(event: SessionEvent): Buffer {
  if (isOutputEvent(event)) {
    const bytes = event.data;
    return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  return Buffer.from(JSON.stringify({ v: EVENT_VERSION, d: event.data }), "utf8");
}

export function rowToEvent(session: string, row: EventRow): SessionEvent {
  if (row.type === "output") return { session, seq: row.seq, ts: row.ts, type: "output", data: row.data };
  const envelope = JSON.parse(row.data.toString("utf8")) as { v?: unknown; d?: unknown };
  if (envelope.v !== EVENT_VERSION) {
    // Guessing at a payload written by another version would hand clients wrong data.
    throw new DispatchError(
      "internal",
      `event ${session}#${row.seq} has payload version ${String(envelope.v)}, expected ${EVENT_VERSION}`,
    );
  }
  return {
    session,
    seq: row.seq,
    ts: row.ts,
    type: row.type,
    data: (envelope.d ?? {}) as Record<string, unknown>,
  };
}
