/**
 * A checksum per stored event (both engines), written with the row and checked by recovery and
 * by a full storage check, so an event rebuilt from damaged pages is told apart from one read
 * back intact. CRC-32 (zlib's, native) over what makes the event: session, seq, time, type and
 * the payload bytes. It finds accidental damage (an overwritten or torn page), not tampering,
 * and costs a fraction of a microsecond for a small event.
 */
import { crc32 } from "node:zlib";

/** An event row's columns as read back, before anything is trusted about them. */
export interface StoredEventColumns {
  session_id: unknown;
  seq: unknown;
  ts: unknown;
  type: unknown;
  data: unknown;
  /** Null for rows written before the column existed: unchecked, kept as they are. */
  checksum: unknown;
}

/** The checksum of one event as stored: its session, seq, time, type and payload bytes. */
export function eventChecksum(
  event: { session: string; seq: number; ts: number; type: string },
  data: Uint8Array,
): number {
  // NUL cannot appear in an id, a number or a type name, so no two events share a prefix.
  const head = crc32(`${event.session}\0${event.seq}\0${event.ts}\0${event.type}\0`);
  return crc32(data, head);
}

/**
 * What is wrong with a stored event row (missing or mistyped columns, or bytes that do not
 * match its checksum); undefined when it verifies or predates checksums.
 */
export function eventRowProblem(row: StoredEventColumns): string | undefined {
  const { session_id: session, seq, ts, type, data, checksum } = row;
  if (typeof session !== "string" || session === "") return "no session id";
  if (typeof seq !== "number" || !Number.isSafeInteger(seq) || seq < 1) return "no valid seq";
  if (typeof ts !== "number" || !Number.isFinite(ts)) return "no valid time";
  if (typeof type !== "string" || type === "") return "no type";
  if (!(data instanceof Uint8Array)) return "no payload bytes";
  if (checksum === null || checksum === undefined) return undefined;
  if (typeof checksum !== "number") return "a garbled checksum";
  if (eventChecksum({ session, seq, ts, type }, data) !== checksum)
    return "bytes that do not match its checksum";
  return undefined;
}
