/**
 * Session records across nodes. Each node keeps every record in memory (`SessionDirectory`);
 * when one node writes a record (create, rename, status, exit, removal) it notifies the
 * record's id, and every other node reloads it from the store. A reload that ends a session
 * or finds it gone is announced on the node's own bus (`exited`, `removed`) so waiting kills
 * return and attached clients are told, as for a session of a local host.
 */
import { isLiveStatus } from "../../core/liveness.js";
import type { PgCluster } from "../../store/postgres/PgCluster.js";
import type { Store } from "../../store/Store.js";
import { isStorageError } from "../../store/storageErrors.js";
import type { HubEvents } from "../HubEvents.js";
import type { SessionDirectory } from "../SessionDirectory.js";

/** Payload: `node session` (the writer's node, so it skips its own). */
export const RECORDS_CHANNEL = "dispatch_records";

export interface RecordSyncOptions {
  cluster: PgCluster;
  node: string;
  directory: SessionDirectory;
  store: Store;
  bus: HubEvents;
}

export class RecordSync {
  private readonly unwatch: () => void;

  constructor(private readonly options: RecordSyncOptions) {
    const { directory, cluster, node } = options;
    this.unwatch = directory.watchWrites((id) => {
      try {
        cluster.notify(RECORDS_CHANNEL, `${node} ${id}`);
      } catch (err) {
        // The write itself failed or will be retried (storage failing): the next write notifies.
        if (!isStorageError(err)) throw err;
      }
    });
  }

  /** A payload of `RECORDS_CHANNEL`. */
  notified(payload: string): void {
    const [from, id] = payload.split(" ");
    if (!id || from === this.options.node) return;
    this.reload(id);
  }

  /** Re-reads one record (also before this node forwards a spawn for it to its host). */
  reload(id: string): void {
    const { directory, bus } = this.options;
    const { before, after } = directory.reload(id);
    if (before && !after) bus.emit("removed", id);
    else if (before && after && isLiveStatus(before.status) && !isLiveStatus(after.status))
      bus.emit("exited", id);
  }

  /** Notifications may have been missed: re-read every record. */
  resync(): void {
    const { directory } = this.options;
    const known = new Set(directory.all().map((record) => record.id));
    for (const id of known) this.reload(id);
    for (const record of this.options.store.listSessions()) if (!known.has(record.id)) this.reload(record.id);
  }

  dispose(): void {
    this.unwatch();
  }
}
