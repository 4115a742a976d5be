/**
 * The owning node's side of `PeerLinks`: a host message another node forwards is sent on this
 * node's own link to the host, and a request's reply (or error) goes back. Before a message
 * about a session is forwarded, the session's record is made current here: a session just
 * created (or revived) on the other node must be known before its host's first events arrive,
 * or they would be dropped as events of an unknown session.
 */
import type { Logger } from "pino";
import { mib } from "../../core/byteSize.js";
import { errorFields, toDispatchError } from "../../core/errors.js";
import { MAX_PEER_MESSAGE_BYTES, type PeerMessage, type PeerReply } from "../../protocol/cluster.js";
import { HubToHostMessage } from "../../protocol/host.js";
import type { HostRequest } from "../HostLink.js";
import type { HostLinks } from "../HostMonitor.js";
import type { SessionDirectory } from "../SessionDirectory.js";
import type { RecordSync } from "./RecordSync.js";

export interface PeerRequestsOptions {
  /** This node's own links (never another peer's). */
  hosts: HostLinks;
  directory: SessionDirectory;
  records: RecordSync;
  logger: Logger;
}

export class PeerRequests {
  constructor(private readonly options: PeerRequestsOptions) {}

  /** Handles one message; resolves with the reply to send back (none for `send`). */
  async handle(message: PeerMessage): Promise<PeerReply | undefined> {
    if (message.t === "send") {
      try {
        this.prepare(message.message);
        this.options.hosts.require(message.host).send(message.message);
      } catch (err) {
        // A resize, rename or ack for a host that just left (input comes as a request, whose
        // client hears of it): its client sees the host go unreachable. Said here, as it is lost.
        this.options.logger.warn(
          { err, host: message.host, type: message.message.type },
          "a message another node relayed for a host not linked here was dropped",
        );
      }
      return undefined;
    }
    try {
      const parsed = HubToHostMessage.parse({ ...message.message, ref: 0 });
      this.prepare(parsed);
      const link = this.options.hosts.require(message.host);
      if (!("ref" in parsed)) {
        // A message the host does not answer (input, `sendConfirmed`): the reply says it is on
        // this node's link, so the asking node's client is told OK only now.
        link.send(parsed);
        return { t: "reply", id: message.id, ok: true };
      }
      const { ref: _ref, ...request } = parsed;
      const data = await link.request(request as HostRequest, { longRunning: message.longRunning === true });
      return { t: "reply", id: message.id, ok: true, data };
    } catch (err) {
      const error = toDispatchError(err);
      return { t: "reply", id: message.id, ok: false, ...errorFields(error) };
    }
  }

  private prepare(message: HubToHostMessage): void {
    const id =
      message.type === "spawn" ? message.spec.id : "session" in message ? message.session : undefined;
    if (id === undefined) return;
    if (message.type === "spawn" || !this.options.directory.get(id)) this.options.records.reload(id);
  }
}

/**
 * A reply as sent to the asking node, or a `too_large` error in its place: a host's reply fits
 * (the host checks it against the host link's limit, and the relay allows for the envelope),
 * but one that did not would make the asking node close the socket, failing every request
 * waiting on it.
 */
export function encodePeerReply(reply: PeerReply): string {
  const text = JSON.stringify(reply);
  const bytes = text.length * 3 <= MAX_PEER_MESSAGE_BYTES ? text.length : Buffer.byteLength(text);
  if (bytes <= MAX_PEER_MESSAGE_BYTES) return text;
  return JSON.stringify({
    t: "reply",
    id: reply.id,
    ok: false,
    code: "too_large",
    message: `the answer is ${mib(bytes)}, more than the ${mib(MAX_PEER_MESSAGE_BYTES)} one message between hub nodes may hold, so the node holding the host sent this error instead; ask for less at once`,
  } satisfies PeerReply);
}
