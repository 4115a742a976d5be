/**
 * Removing sessions with their history: one on request (`kill` of an ended session, a create
 * the host refused, a host's cleanup), or every ended one past an age (`gc`).
 */
import { isLiveStatus } from "../core/liveness.js";
import type { Store } from "../store/Store.js";
import type { HubEvents } from "./HubEvents.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import type { ScreenTracker } from "./screen/ScreenTracker.js";

export interface SessionRemovalOptions {
  store: Store;
  directory: SessionDirectory;
  screens: ScreenTracker;
  bus: HubEvents;
}

export class SessionRemoval {
  constructor(private readonly options: SessionRemovalOptions) {}

  /** Removes a session and its history (its subscribers are closed, its tokens revoked). */
  remove(id: string): void {
    this.options.bus.emit("removed", id);
    this.options.screens.forget(id);
    this.options.directory.remove(id);
  }

  /**
   * Removes ended sessions (exited, failed; orphaned too) whose last activity is older than
   * `olderThanMs`, with their history. Returns the names removed.
   */
  gc(olderThanMs = 0, now = Date.now()): string[] {
    const removed: string[] = [];
    for (const record of this.options.directory.all()) {
      if (isLiveStatus(record.status) || now - record.lastActivityAt < olderThanMs) continue;
      this.remove(record.id);
      removed.push(record.name);
    }
    if (removed.length > 0) this.options.store.audit("hub", "gc", { removed });
    return removed;
  }
}
