/**
 * One WebSocket frame from a client, read as a `ClientMessage`, or why it is refused. A refused
 * frame is answered with an error and the connection kept, so the `ref` it carried (if any can
 * be found) goes back with the error.
 */
import { mib } from "../core/byteSize.js";
import { ClientMessage, MAX_CLIENT_MESSAGE_BYTES } from "../protocol/client.js";
import { describeIssues } from "../protocol/parse.js";

/** The request a reply answers, as the client numbered or named it. */
export type Ref = string | number | undefined;

export type ClientFrame =
  | { ok: true; message: ClientMessage; ref: Ref }
  | { ok: false; ref: Ref; code: "bad_request" | "too_large"; message: string };

export function parseClientFrame(raw: Buffer, isBinary: boolean): ClientFrame {
  if (isBinary)
    return refused(undefined, "bad_request", "binary frames are not accepted from clients; send JSON");
  let json: unknown;
  try {
    // The socket's maxPayload already bounds what is parsed here.
    json = JSON.parse(raw.toString("utf8"));
  } catch {
    return refused(undefined, "bad_request", "message is not valid JSON");
  }
  const ref = refOf(json);
  if (raw.length > MAX_CLIENT_MESSAGE_BYTES) {
    return refused(
      ref,
      "too_large",
      `message of ${mib(raw.length)} is over the ${mib(MAX_CLIENT_MESSAGE_BYTES)} one message may carry; send long text in pieces, as \`dispatch send NAME --stdin\` does`,
    );
  }
  const parsed = ClientMessage.safeParse(json);
  if (!parsed.success) return refused(ref, "bad_request", `invalid message: ${describeIssues(parsed.error)}`);
  return { ok: true, message: parsed.data, ref };
}

function refused(ref: Ref, code: "bad_request" | "too_large", message: string): ClientFrame {
  return { ok: false, ref, code, message };
}

function refOf(json: unknown): Ref {
  if (json && typeof json === "object" && "ref" in json) {
    const ref = (json as { ref: unknown }).ref;
    if (typeof ref === "string" || typeof ref === "number") return ref;
  }
  return undefined;
}
