/**
 * `node dist/bench/tailScan.js`: the cost of finding where a read of output can be cut
 * (`unfinishedTail`, run on every read the host gets) against the walk through every byte of
 * its 4 KiB look-back it replaced (`scannedTail`), on reads like those of the throughput suite
 * (plain text lines), of a coloured `ls` or compiler log, and of a full-screen program's redraw.
 * Prints nanoseconds per call, the median of 5 rounds.
 */
import { scannedTail, unfinishedTail } from "../src/host/unfinishedTail.js";
import { LINE_BYTES } from "./payload.js";
import { median } from "./stats.js";

const READ_BYTES = 64 * 1024;
const CALLS = 20_000;
const ROUNDS = 5;

/** `READ_BYTES` of `unit` repeated, cut at the end as a PTY read may be. */
function read(unit: string, tail = ""): Uint8Array {
  const body = Buffer.from(unit.repeat(Math.ceil(READ_BYTES / Buffer.byteLength(unit))), "utf8");
  return new Uint8Array(Buffer.concat([body.subarray(0, READ_BYTES), Buffer.from(tail, "latin1")]));
}

const line = `${"x".repeat(LINE_BYTES - 2)}\r\n`;
const READS: [string, Uint8Array][] = [
  ["plain text lines (cat)", read(line)],
  ["plain text, ends in half of 漢", read(line, "\xe6\xbc")],
  ["coloured words (ls --color)", read("\x1b[01;34mdir\x1b[0m  \x1b[01;32mrun.sh\x1b[0m  notes.txt\r\n")],
  ["coloured, ends in ESC [ 3", read("\x1b[31mred\x1b[0m text\r\n", "\x1b[3")],
  ["full-screen redraw (cursor moves)", read("\x1b[12;40H\x1b[7m 42 \x1b[27m\x1b[K")],
];

function nsPerCall(scan: (bytes: Uint8Array) => number, bytes: Uint8Array): number {
  let sink = 0;
  const start = process.hrtime.bigint();
  for (let i = 0; i < CALLS; i++) sink += scan(bytes);
  const ns = Number(process.hrtime.bigint() - start) / CALLS;
  if (sink < 0) console.log(sink);
  return ns;
}

for (const [what, bytes] of READS) {
  if (unfinishedTail(bytes) !== scannedTail(bytes)) throw new Error(`${what}: the two scans disagree`);
  const rounds = (scan: (bytes: Uint8Array) => number) =>
    median(Array.from({ length: ROUNDS }, () => nsPerCall(scan, bytes)));
  const before = rounds(scannedTail);
  const after = rounds(unfinishedTail);
  console.log(
    `${what.padEnd(36)} walk ${before.toFixed(0).padStart(7)} ns   fast path ${after.toFixed(0).padStart(6)} ns   ${(before / after).toFixed(0)}×`,
  );
}
