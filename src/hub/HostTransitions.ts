/**
 * What a host's changes leave behind: each status or health transition is logged, written to
 * the audit table, and pushed to listeners (clients get a `host` message); a status change is
 * also written to the host's record and turns the host's sessions reachable or unreachable
 * with it. `HostMonitor` and `HostSweep` decide the transitions; this only carries them out.
 */
import type { Logger } from "pino";
import type { ConnectionStatus, HostView } from "../protocol/hosts.js";
import type { Store } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";
import { type HostState, persistHost } from "./hostState.js";
import type { SessionDirectory } from "./SessionDirectory.js";

export interface HostTransitionsOptions {
  directory: SessionDirectory;
  store: Store;
  logger: Logger;
  /** How listeners see a host (`HostMonitor`'s view, which knows the cluster's links). */
  view: (state: HostState) => HostView;
}

export class HostTransitions {
  private readonly listeners = new Set<(host: HostView) => void>();

  constructor(private readonly options: HostTransitionsOptions) {}

  listen(listener: (host: HostView) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  setStatus(state: HostState, status: ConnectionStatus, reason: string): void {
    const from = state.status;
    state.status = status;
    state.statusSince = Date.now();
    this.record(state, "host-status", { from, to: status, reason });
    this.bestEffort(() => persistHost(this.options.store, state));
    // Sessions of this host turn reachable or unreachable with it.
    const { directory } = this.options;
    for (const record of directory.all()) if (record.host === state.id) directory.touch(record.id, {}, true);
  }

  record(state: HostState, action: string, detail: Record<string, unknown>): void {
    this.options.logger.info({ host: state.name, ...detail }, action);
    this.bestEffort(() => this.options.store.audit(`host:${state.name}`, action, detail));
    const view = this.options.view(state);
    for (const listener of this.listeners) listener(view);
  }

  /**
   * Audit rows and host records are history, not state: with the disk full, a host's status
   * must still change (and its sessions turn unreachable), so a storage failure is logged only.
   */
  private bestEffort(write: () => void): void {
    try {
      write();
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.options.logger.warn({ err }, "host record not written: storage failing");
    }
  }
}
