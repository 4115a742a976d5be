/**
 * Whether a run of bytes ends inside a UTF-8 character: a read of output ends wherever a buffer
 * did, so the host (`host/unfinishedTail.ts`) holds such a tail back before cutting an event, and
 * `dispatch attach` (`cli/attached/Utf8Tail.ts`) before writing a frame to the terminal.
 */

/** Bytes a UTF-8 character starting with `lead` takes; 1 for anything that is no lead byte. */
function utf8Length(lead: number): number {
  if (lead >= 0xf0 && lead <= 0xf7) return 4;
  if (lead >= 0xe0) return lead <= 0xef ? 3 : 1;
  if (lead >= 0xc0) return 2;
  return 1;
}

/**
 * How many bytes at the end of `bytes` (looking no further back than `from`) are a character cut
 * short: its lead byte among the last three, with fewer bytes after it than it needs.
 */
export function cutCharacter(bytes: Uint8Array, from = 0): number {
  for (let back = 1; back <= Math.min(3, bytes.length - from); back++) {
    const byte = bytes[bytes.length - back] as number;
    if (byte < 0x80) return 0;
    if (byte >= 0xc0) return utf8Length(byte) > back ? back : 0;
  }
  return 0;
}
