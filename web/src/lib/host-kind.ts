/**
 * Which side of the link a host is on (the protocol's `HostView.kind`): the hub's own host,
 * started by the hub, or a remote one that dials in with a token (and so can be revoked).
 */
import type { HostView } from "../../../src/protocol/hosts.js";

const LOCAL: HostView["kind"] = "local";
const REMOTE: HostView["kind"] = "remote";

export function isLocalHost(host: Pick<HostView, "kind">): boolean {
  return host.kind === LOCAL;
}

/** A host with a token of its own: the one kind of host that can be cut off. */
export function isRemoteHost(host: Pick<HostView, "kind">): boolean {
  return host.kind === REMOTE;
}
