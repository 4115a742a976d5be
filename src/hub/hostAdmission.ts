/**
 * Who may take a host's link, asked by `HostMonitor` at each hello. A single hub admits every
 * host it has a token for; a cluster node admits a host only with its intake lease
 * (`cluster/HostLeases`), and shows a host linked to another node as that node sees it.
 */
import type { RemoteLinkHealth } from "./hostState.js";

export interface HostAdmission {
  /** A refusal a person can act on, or undefined to accept. */
  admit(hostId: string): string | undefined;
  /** The host's accepted link closed. */
  release(hostId: string): void;
  /** Linked to another hub node: not missing, its sessions are not orphaned here. */
  linkedElsewhere(hostId: string): boolean;
  /** That node's view of the link (health, round trip), shown here instead of none. */
  remoteLink(hostId: string): RemoteLinkHealth | undefined;
}
