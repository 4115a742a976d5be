/**
 * The Jupyter messaging protocol's wire format (v5.3), the thin layer no kept library gives
 * Node: a message is ZeroMQ frames `[...identities, "<IDS|MSG>", signature, header,
 * parent_header, metadata, content, ...buffers]`, signed with HMAC-SHA256 over the four JSON
 * frames. Messages that are malformed or wrongly signed are refused with a reason (the
 * caller drops and logs them).
 */
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import { z } from "zod";

export const PROTOCOL_VERSION = "5.3";
const DELIMITER = "<IDS|MSG>";

export const MessageHeader = z.object({
  msg_id: z.string(),
  msg_type: z.string(),
  session: z.string().optional(),
  username: z.string().optional(),
  date: z.string().optional(),
  version: z.string().optional(),
});
export type MessageHeader = z.infer<typeof MessageHeader>;

export interface JupyterMessage {
  header: MessageHeader;
  /** `{}` for a message that answers nothing. */
  parent: Partial<MessageHeader>;
  metadata: Record<string, unknown>;
  content: Record<string, unknown>;
  buffers: Buffer[];
  /**
   * Set by the iopub reader: messages may have been dropped before this one, the host's queue
   * having been full (`IopubReader.ts`).
   */
  afterOverflow?: true;
}

export class Signer {
  constructor(private readonly key: string) {}

  sign(frames: readonly (Buffer | string)[]): string {
    if (this.key.length === 0) return "";
    const hmac = createHmac("sha256", this.key);
    for (const frame of frames) hmac.update(frame);
    return hmac.digest("hex");
  }

  verify(frames: readonly Buffer[], signature: string): boolean {
    if (this.key.length === 0) return true;
    const expected = Buffer.from(this.sign(frames), "utf8");
    const got = Buffer.from(signature, "utf8");
    return expected.length === got.length && timingSafeEqual(expected, got);
  }
}

/** A new request's header, for this client's `session`. */
export function newHeader(msgType: string, session: string): MessageHeader {
  return {
    msg_id: randomUUID(),
    msg_type: msgType,
    session,
    username: "dispatch",
    date: new Date().toISOString(),
    version: PROTOCOL_VERSION,
  };
}

/** The frames of a message (no identities: a Dealer adds none). */
export function encode(signer: Signer, message: Omit<JupyterMessage, "buffers">): Buffer[] {
  const parts = [message.header, message.parent, message.metadata, message.content].map((part) =>
    Buffer.from(JSON.stringify(part), "utf8"),
  );
  return [Buffer.from(DELIMITER), Buffer.from(signer.sign(parts)), ...parts];
}

export type Decoded = { ok: true; message: JupyterMessage } | { ok: false; reason: string };

const JsonObject = z.record(z.string(), z.unknown());

/** Parses and checks one message's frames; never throws. */
export function decode(signer: Signer, frames: readonly Buffer[]): Decoded {
  const at = frames.findIndex((frame) => frame.length === DELIMITER.length && frame.toString() === DELIMITER);
  if (at < 0) return { ok: false, reason: "no <IDS|MSG> delimiter" };
  if (frames.length < at + 6)
    return { ok: false, reason: `${frames.length - at - 1} frames after the delimiter, 5 needed` };
  const signature = (frames[at + 1] as Buffer).toString("utf8");
  const parts = frames.slice(at + 2, at + 6);
  if (!signer.verify(parts, signature)) return { ok: false, reason: "bad signature" };
  let json: unknown[];
  try {
    json = parts.map((part) => JSON.parse(part.toString("utf8")) as unknown);
  } catch {
    return { ok: false, reason: "a frame is not JSON" };
  }
  if (isStream(json[0])) return streamMessage(json, frames.slice(at + 6));
  const header = MessageHeader.safeParse(json[0]);
  if (!header.success) return { ok: false, reason: "malformed header" };
  const [parent, metadata, content] = json.slice(1).map((part) => JsonObject.safeParse(part));
  if (!parent?.success || !metadata?.success || !content?.success)
    return { ok: false, reason: "parent_header, metadata or content is not an object" };
  return {
    ok: true,
    message: {
      header: header.data,
      parent: parent.data as Partial<MessageHeader>,
      metadata: metadata.data,
      content: content.data,
      buffers: frames.slice(at + 6),
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

const isStream = (header: unknown): boolean => isObject(header) && header.msg_type === "stream";

const HEADER_FIELDS = ["msg_id", "msg_type", "session", "username", "date", "version"] as const;

/**
 * A `stream` message, checked by hand rather than by zod: a kernel that publishes each write
 * (xeus-python) sends hundreds of thousands of them, and the schema's parse was a share of the
 * host's time per message. Checks what the schema would and what the output needs: a header of
 * strings with a msg_id, objects for the rest, and a content with a stream name and text.
 */
function streamMessage(json: unknown[], buffers: Buffer[]): Decoded {
  const [header, parent, metadata, content] = json;
  if (!isObject(header) || typeof header.msg_id !== "string")
    return { ok: false, reason: "malformed header" };
  for (const field of HEADER_FIELDS)
    if (header[field] !== undefined && typeof header[field] !== "string")
      return { ok: false, reason: "malformed header" };
  if (!isObject(parent) || !isObject(metadata) || !isObject(content))
    return { ok: false, reason: "parent_header, metadata or content is not an object" };
  if (typeof content.name !== "string" || typeof content.text !== "string")
    return { ok: false, reason: "a stream message without a name and text" };
  return {
    ok: true,
    message: {
      header: header as MessageHeader,
      parent: parent as Partial<MessageHeader>,
      metadata,
      content,
      buffers,
    },
  };
}
