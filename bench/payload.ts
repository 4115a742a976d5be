/** Generated output files: printable ASCII lines of 128 bytes, like a busy log. */
import { closeSync, openSync, writeSync } from "node:fs";
import { join } from "node:path";

export const LINE_BYTES = 128;

export interface Payload {
  path: string;
  bytes: number;
  /** Bytes a PTY delivers for this file (each `\n` becomes `\r\n`). */
  ptyBytes: number;
}

/** Writes `bytes` (rounded down to whole lines) of text to `dir/name`. */
export function textFile(dir: string, name: string, bytes: number): Payload {
  const lines = Math.max(1, Math.floor(bytes / LINE_BYTES));
  const blockLines = Math.min(lines, 8192);
  const block = Buffer.alloc(blockLines * LINE_BYTES);
  for (let i = 0; i < blockLines; i++) {
    const prefix = `${String(i).padStart(8, "0")} `;
    const offset = i * LINE_BYTES;
    block.write(prefix, offset, "latin1");
    for (let j = prefix.length; j < LINE_BYTES - 1; j++) block[offset + j] = 33 + ((i + j) % 94);
    block[offset + LINE_BYTES - 1] = 10;
  }
  const path = join(dir, name);
  const fd = openSync(path, "w");
  try {
    for (let left = lines; left > 0; left -= blockLines) {
      writeSync(fd, block, 0, Math.min(left, blockLines) * LINE_BYTES);
    }
  } finally {
    closeSync(fd);
  }
  return { path, bytes: lines * LINE_BYTES, ptyBytes: lines * (LINE_BYTES + 1) };
}
