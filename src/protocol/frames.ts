/**
 * Binary frame for `output` events, used unchanged on both hops (host -> hub, hub -> client),
 * so the hub forwards the bytes it received without re-encoding them.
 *
 * Layout (big-endian):
 *   u8  frame type (1 = output)
 *   u8  session id length L
 *   L   session id (ASCII)
 *   f64 seq
 *   f64 ts (ms since epoch)
 *   ... payload (raw PTY bytes)
 *
 * Pure (no Node Buffer), so the browser decodes the same frames.
 */

export const FRAME_OUTPUT = 1;

export interface OutputFrame {
  session: string;
  seq: number;
  ts: number;
  data: Uint8Array;
}

const textEncoder = new TextEncoder();
const textDecoder = new TextDecoder();

export function encodeOutputFrame(frame: OutputFrame): Uint8Array {
  return encodeOutputFrameParts(frame, [frame.data]);
}

/**
 * The same frame from the payload's parts (the reads a host gathered), copied straight into
 * the frame: one allocation and one copy per event, with no joined payload in between.
 */
export function encodeOutputFrameParts(
  frame: Omit<OutputFrame, "data">,
  parts: readonly Uint8Array[],
): Uint8Array {
  const id = textEncoder.encode(frame.session);
  if (id.length > 255) throw new Error("session id too long for a frame");
  const header = 2 + id.length + 16;
  let length = header;
  for (const part of parts) length += part.length;
  const out = new Uint8Array(length);
  const view = new DataView(out.buffer, out.byteOffset, out.byteLength);
  out[0] = FRAME_OUTPUT;
  out[1] = id.length;
  out.set(id, 2);
  view.setFloat64(2 + id.length, frame.seq);
  view.setFloat64(10 + id.length, frame.ts);
  let at = header;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/** Decodes a frame; returns undefined for anything malformed (callers report the error). */
export function decodeOutputFrame(bytes: Uint8Array): OutputFrame | undefined {
  if (bytes.length < 2 || bytes[0] !== FRAME_OUTPUT) return undefined;
  const idLength = bytes[1] as number;
  const header = 2 + idLength + 16;
  if (bytes.length < header) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const seq = view.getFloat64(2 + idLength);
  const ts = view.getFloat64(10 + idLength);
  if (!Number.isSafeInteger(seq) || seq < 1 || !Number.isFinite(ts)) return undefined;
  return {
    session: textDecoder.decode(bytes.subarray(2, 2 + idLength)),
    seq,
    ts,
    data: bytes.subarray(header),
  };
}
