/**
 * Snapshots of kinds that keep their own state rather than a screen (`SessionKind.snapshot`,
 * an editor's document): every `everyEvents` stored events, the kind folds the events since
 * its last snapshot into a new one, stored beside screen snapshots so the attach rule and the
 * subscriptions use it the same way (attach from the current state costs the same for any log).
 */
import type { Logger } from "pino";
import type { KindSnapshot } from "../kinds/kind.js";
import { findKind } from "../kinds/registry.js";
import type { SessionEvent } from "../protocol/events.js";
import type { Store } from "../store/Store.js";
import type { HubEvents } from "./HubEvents.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import { decodeScreen, encodeScreen } from "./screen/snapshotData.js";

/** Events read per page while folding. */
const FOLD_PAGE_EVENTS = 512;

export interface KindSnapshotsOptions {
  store: Store;
  directory: SessionDirectory;
  bus: HubEvents;
  logger: Logger;
}

export class KindSnapshots {
  /** Events stored since each session's last snapshot. */
  private readonly pending = new Map<string, number>();
  /** Sessions whose fold is running (an async one: the kind's code loading); one at a time. */
  private readonly folding = new Set<string>();

  constructor(private readonly options: KindSnapshotsOptions) {
    options.bus.on("stored", (id, entries) => {
      const record = options.directory.get(id);
      const snapshot = record ? findKind(record.kind)?.snapshot : undefined;
      if (!snapshot) return;
      const count = (this.pending.get(id) ?? 0) + entries.length;
      if (count < snapshot.everyEvents) return void this.pending.set(id, count);
      this.pending.delete(id);
      if (this.folding.has(id)) return;
      this.folding.add(id);
      this.take(id, snapshot)
        .catch((err: unknown) =>
          // A snapshot only shortens attach: without it the events are served instead.
          options.logger.warn({ err, session: id }, "kind snapshot failed"),
        )
        .finally(() => this.folding.delete(id));
    });
    options.bus.on("removed", (id) => this.pending.delete(id));
  }

  private async take(id: string, snapshot: KindSnapshot): Promise<void> {
    const { store } = this.options;
    const latest = store.latestSnapshot(id);
    const previous = latest ? decodeScreen(latest.data) : undefined;
    const from = previous === undefined ? 0 : (latest?.seq ?? 0);
    const lastSeq = store.lastSeq(id);
    if (lastSeq <= from) return;
    // Read up to `lastSeq` only: an async fold reads after more events may have been stored.
    const state = await snapshot.fold(previous, readAfter(store, id, from, lastSeq));
    if (!this.options.directory.get(id)) return;
    store.putSnapshot({
      session: id,
      seq: lastSeq,
      ts: Date.now(),
      cols: 0,
      rows: 0,
      data: encodeScreen(state),
    });
  }
}

function* readAfter(store: Store, id: string, afterSeq: number, lastSeq: number): Iterable<SessionEvent> {
  let after = afterSeq;
  while (after < lastSeq) {
    const page = store.readEvents(id, after, FOLD_PAGE_EVENTS);
    if (page.length === 0) return;
    for (const event of page) {
      if (event.seq > lastSeq) return;
      yield event;
    }
    after = (page[page.length - 1] as SessionEvent).seq;
  }
}
