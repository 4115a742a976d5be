/**
 * Requests a host's older dispatch does not know: the hub refuses them before sending, naming
 * the upgrade, because such a host drops the message and the request would otherwise wait for
 * its timeout. Checked where every request leaves the hub (`HostConnection.request`), so a
 * command arriving from another cluster node is checked the same way.
 */
import { DispatchError } from "../core/errors.js";
import { VERSION } from "../core/version.js";
import type { HostInfo } from "../protocol/host.js";
import type { HostRequest } from "./HostLink.js";

/** The host protocol a request needs, for those added after version 1. */
const SINCE_PROTOCOL: Partial<Record<HostRequest["type"], number>> = { "kind-command": 2, orphans: 2 };

/** What a person asked the host for, in their words. */
function asked(request: HostRequest): string {
  switch (request.type) {
    case "kind-command":
      return `run ${request.kind} '${request.name}'`;
    case "orphans":
      return "look for orphaned runtimes";
    default:
      return `answer '${request.type}'`;
  }
}

export function requireHostProtocol(
  link: { host: HostInfo | undefined; protocol: number | undefined },
  request: HostRequest,
): void {
  const needed = SINCE_PROTOCOL[request.type] ?? 1;
  const has = link.protocol ?? 1;
  if (has >= needed) return;
  const version = link.host?.version ?? "an older release";
  throw new DispatchError(
    "protocol_version",
    `host '${link.host?.id ?? "?"}' runs dispatch ${version} (host protocol ${has}), which cannot ${asked(request)}; upgrade dispatch on that host to ${VERSION} or later`,
  );
}
