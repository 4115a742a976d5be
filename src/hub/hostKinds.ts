/**
 * The two kinds of host link and how they differ, written down once so the monitor asks a
 * kind's policy instead of its name. The local host runs beside the hub and is started by it;
 * a remote host dials in with a token and may be away (and back) on its own schedule.
 */
import type { HostView } from "../protocol/hosts.js";

export type HostKindName = HostView["kind"];

export interface HostKind {
  readonly name: HostKindName;
  /** Listed before hosts of a higher rank. */
  readonly rank: number;
  /**
   * Its host dials back in by itself after a hub restart, so it counts as `reconnecting` (not
   * `disconnected`) for a grace period.
   */
  readonly dialsBack: boolean;
  /**
   * Sessions its host no longer runs become `orphaned` (the host restarted elsewhere and may
   * still know them) rather than ended with "host lost"; so do sessions of a host away longer
   * than the orphan TTL.
   */
  readonly orphansSessions: boolean;
  /** Its identity comes from a token, so a different name in its hello is worth a log line. */
  readonly namedByToken: boolean;
}

const KINDS: Record<HostKindName, HostKind> = {
  local: { name: "local", rank: 0, dialsBack: false, orphansSessions: false, namedByToken: false },
  remote: { name: "remote", rank: 1, dialsBack: true, orphansSessions: true, namedByToken: true },
};

export function hostKind(name: HostKindName): HostKind {
  return KINDS[name];
}
