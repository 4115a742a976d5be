/**
 * The owning node's side of `PeerLinks`: a host message another node forwards is sent on this
 * node's own link to the host, and a request's reply (or error) goes back. Before a message
 * about a session is forwarded, the session's record is made current here: a session just
 * created (or revived) on the other node must be known before its host's first events arrive,
 * or they would be dropped as events of an unknown session.
 */
import { toDispatchError } from "../../core/errors.js";
import type { PeerMessage, PeerReply } from "../../protocol/cluster.js";
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
}

export class PeerRequests {
  constructor(private readonly options: PeerRequestsOptions) {}

  /** Handles one message; resolves with the reply to send back (none for `send`). */
  async handle(message: PeerMessage): Promise<PeerReply | undefined> {
    if (message.t === "send") {
      try {
        this.prepare(message.message);
        this.options.hosts.require(message.host).send(message.message);
      } catch {
        // A keystroke for a host that just left: the client sees the host go unreachable.
      }
      return undefined;
    }
    try {
      const parsed = HubToHostMessage.parse({ ...message.message, ref: 0 });
      this.prepare(parsed);
      const { ref: _ref, ...request } = parsed as Extract<HubToHostMessage, { ref: number }>;
      const link = this.options.hosts.require(message.host);
      const data = await link.request(request as HostRequest, { longRunning: message.longRunning === true });
      return { t: "reply", id: message.id, ok: true, data };
    } catch (err) {
      const error = toDispatchError(err);
      return { t: "reply", id: message.id, ok: false, code: error.code, message: error.message };
    }
  }

  private prepare(message: HubToHostMessage): void {
    const id =
      message.type === "spawn" ? message.spec.id : "session" in message ? message.session : undefined;
    if (id === undefined) return;
    if (message.type === "spawn" || !this.options.directory.get(id)) this.options.records.reload(id);
  }
}
