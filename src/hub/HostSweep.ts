/**
 * What becomes of hosts with time alone, with no message from them: `HostMonitor` changes a
 * host when its link speaks or closes, and this timer covers the silence. After a hub restart,
 * hosts that were connected have a grace to dial back in before they count as `disconnected`;
 * a host that orphans sessions (remote) away longer than the orphan TTL has its running
 * sessions orphaned; and connected hosts' last-seen times reach disk now and then (and once
 * more at `dispose`) rather than at every pong.
 *
 * It is handed the monitor's host states and the monitor's own way to change a status, so a
 * status changed here is audited and announced like any other.
 */
import type { ConnectionStatus } from "../protocol/hosts.js";
import type { Store } from "../store/Store.js";
import type { AuditTrail } from "./AuditTrail.js";
import type { HostAdmission } from "./hostAdmission.js";
import { hostKind } from "./hostKinds.js";
import { orphanSessionsOf } from "./hostSessions.js";
import { type HostState, persistHost } from "./hostState.js";
import type { SessionDirectory } from "./SessionDirectory.js";

/** Default time a remote host may stay away before its running sessions count as orphaned. */
export const DEFAULT_ORPHAN_TTL_MS = 24 * 3_600_000;
/**
 * After a hub restart, hosts that were connected are `reconnecting` this long before they count
 * as `disconnected`: twice the remote host's 30 s backoff cap, so one missed dial is forgiven.
 */
const RECONNECT_GRACE_MS = 60_000;
/** Longest pause between sweeps (orphan TTL, reconnect grace, last-seen persistence). */
const MAX_SWEEP_INTERVAL_MS = 30_000;

export interface HostSweepOptions {
  /** Every host the monitor knows, as it is now. */
  hosts: () => Iterable<HostState>;
  directory: SessionDirectory;
  store: Store;
  /** Where a session orphaned by the TTL is recorded (kept while storage fails). */
  audit: AuditTrail;
  orphanTtlMs: number;
  /** Cluster nodes: a host linked to another node is seen there, so it is not away. */
  admission?: HostAdmission | undefined;
  /** The monitor's status change: audited, announced, and its sessions' reachability updated. */
  setStatus: (state: HostState, status: ConnectionStatus, reason: string) => void;
}

export class HostSweep {
  private readonly timer: NodeJS.Timeout;
  private readonly startedAt = Date.now();

  constructor(private readonly options: HostSweepOptions) {
    const sweepMs = Math.max(100, Math.min(MAX_SWEEP_INTERVAL_MS, options.orphanTtlMs / 4));
    this.timer = setInterval(() => this.sweep(), sweepMs);
    this.timer.unref();
  }

  /** Stops the timer and stores connected hosts' last-seen times a final time. */
  dispose(): void {
    clearInterval(this.timer);
    this.persistConnected();
  }

  private persistConnected(): void {
    for (const state of this.options.hosts())
      if (state.status === "connected") persistHost(this.options.store, state);
  }

  private sweep(now = Date.now()): void {
    const { admission, directory, audit, orphanTtlMs } = this.options;
    this.persistConnected();
    for (const state of this.options.hosts()) {
      if (state.status === "reconnecting" && now - this.startedAt >= RECONNECT_GRACE_MS) {
        this.options.setStatus(state, "disconnected", "did not dial back in after the hub restarted");
      }
      if (admission?.linkedElsewhere(state.id)) state.lastSeen = now;
      if (!hostKind(state.kind).orphansSessions || state.status === "connected") continue;
      if (now - (state.lastSeen ?? this.startedAt) >= orphanTtlMs)
        orphanSessionsOf(directory, audit, state.id);
    }
  }
}
