/**
 * A checksum per stored event (both engines), written with the row and checked by recovery and
 * by a full storage check, so an event rebuilt from damaged pages is told apart from one read
 * back intact. CRC-32 (the zlib polynomial) over what makes the event: the session id and type
 * as UTF-8, each followed by a NUL, seq and time as little-endian float64, then the payload
 * bytes. It finds accidental damage (an overwritten or torn page), not tampering.
 *
 * The short head is summed in JS and the payload by zlib's native `crc32`: one native call per
 * event, and no string built from the numbers (both cost more than the sum of a small event).
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
  let crc = textCrc(0, event.session);
  NUMBERS.setFloat64(0, event.seq, true);
  NUMBERS.setFloat64(8, event.ts, true);
  crc = bytesCrc(crc, NUMBER_BYTES);
  crc = textCrc(crc, event.type);
  return crc32(data, crc);
}

/** CRC-32 table (reflected polynomial 0xEDB88320, as zlib). */
const TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

const NUMBER_BYTES = new Uint8Array(16);
const NUMBERS = new DataView(NUMBER_BYTES.buffer);

/** Continues `crc` over `bytes` (zlib's `crc32(bytes, crc)`, in JS for a few bytes). */
function bytesCrc(crc: number, bytes: Uint8Array): number {
  let c = ~crc;
  for (let i = 0; i < bytes.length; i++) c = (TABLE[(c ^ (bytes[i] as number)) & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
}

/** Continues `crc` over the UTF-8 of `text` and a NUL (ids and type names are ASCII: no encoding). */
function textCrc(crc: number, text: string): number {
  let c = ~crc;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code > 0x7f) return bytesCrc(crc, Buffer.from(`${text}\0`, "utf8"));
    c = (TABLE[(c ^ code) & 0xff] as number) ^ (c >>> 8);
  }
  c = (TABLE[c & 0xff] as number) ^ (c >>> 8);
  return ~c >>> 0;
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
