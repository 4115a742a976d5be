/**
 * Values in and out of libpq's text protocol: parameters as text (bytes as bytea hex), result
 * rows parsed by column type.
 */
import type { Libpq } from "./pgNative.js";

/** Parsers for the text form of the column types the store reads; anything else stays a string. */
const PARSERS: Record<number, (text: string) => unknown> = {
  16: (t) => t === "t", // bool
  20: Number, // int8: seqs and byte counts stay far below 2^53
  21: Number, // int2
  23: Number, // int4
  700: Number, // float4
  701: Number, // float8
  1700: Number, // numeric (SUM of int8)
  17: (t) => Buffer.from(t.slice(2), "hex"), // bytea, hex output (the server default)
};

/** A parameter as libpq's text protocol takes it: bytes as bytea hex, absent as NULL. */
export function param(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Uint8Array) {
    const buffer = Buffer.isBuffer(value)
      ? value
      : Buffer.from(value.buffer, value.byteOffset, value.byteLength);
    return `\\x${buffer.toString("hex")}`;
  }
  return String(value);
}

/** The rows of the result `pq` holds, each column parsed by its type. */
export function readRows<R>(pq: Libpq): R[] {
  const count = pq.ntuples();
  if (count === 0) return [];
  const columns = pq.nfields();
  const names: string[] = [];
  const parsers: ((text: string) => unknown)[] = [];
  for (let c = 0; c < columns; c++) {
    names.push(pq.fname(c));
    parsers.push(PARSERS[pq.ftype(c)] ?? String);
  }
  const rows: R[] = new Array(count);
  for (let r = 0; r < count; r++) {
    const row: Record<string, unknown> = {};
    for (let c = 0; c < columns; c++) {
      row[names[c] as string] = pq.getisnull(r, c)
        ? null
        : (parsers[c] as (t: string) => unknown)(pq.getvalue(r, c));
    }
    rows[r] = row as R;
  }
  return rows;
}
