/**
 * Fan-out: every client attached to a session holds one `Subscription` (its own read cursor),
 * started by the attach rule (`attachRule.ts`) and fed with each newly stored batch. A slow
 * client lags on its own cursor and never holds up the others.
 */
import { findKind } from "../kinds/registry.js";
import type { SessionInfo } from "../protocol/session.js";
import type { Store } from "../store/Store.js";
import { type AttachMode, attachStart } from "./attachRule.js";
import type { HubEvents } from "./HubEvents.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import type { StoredBatchEntry } from "./StoreWriter.js";
import { type SubscriberChannel, Subscription } from "./Subscription.js";
import type { ScreenTracker } from "./screen/ScreenTracker.js";
import { testOnlyPause } from "./testPause.js";

export interface AttachmentsOptions {
  store: Store;
  directory: SessionDirectory;
  screens: ScreenTracker;
  bus: HubEvents;
  /** How far (output bytes) a client may fall behind before it skips to the latest snapshot. */
  clientLagLimitBytes?: number | undefined;
}

export interface Attachment {
  info: SessionInfo;
  subscription: Subscription;
  /** Starts the stream; call once the client has been told it is attached. */
  start: () => void;
}

export class Attachments {
  private readonly bySession = new Map<string, Set<Subscription>>();
  /** Test-only: makes every catch-up retry pause this long (docs/OPERATIONS.md). */
  private readonly retryPauseMs = testOnlyPause("DISPATCH_TEST_CATCHUP_RETRY_MS");

  constructor(private readonly options: AttachmentsOptions) {
    options.bus.on("stored", (id, entries) => {
      for (const subscription of this.bySession.get(id) ?? []) subscription.offer(entries);
    });
    options.bus.on("storage-healed", () => {
      // A read that fails again ends the round: the others keep their pauses rather than each
      // block the hub on a store still failing (a silent server, up to its timeout per read).
      for (const set of this.bySession.values())
        for (const subscription of set) if (!subscription.storageHealed()) return;
    });
    options.bus.on("removed", (id) => {
      for (const subscription of this.bySession.get(id) ?? []) subscription.close();
      this.bySession.delete(id);
    });
  }

  /**
   * Attaches a client: it gets what the attach rule gives for `mode` and `afterSeq`, then live
   * events, with no gap and no duplicate.
   */
  attach(
    ref: string,
    afterSeq: number,
    channel: SubscriberChannel,
    options: { mode?: AttachMode; coalesce?: boolean } = {},
  ): Attachment {
    const { mode = "auto", coalesce = false } = options;
    const { store, directory, screens } = this.options;
    const record = directory.resolve(ref);
    const screen = findKind(record.kind)?.screen === true;
    const cursor = Math.min(afterSeq, store.lastSeq(record.id));
    const start = attachStart({
      mode,
      cursor,
      latest: mode === "events" ? undefined : store.latestSnapshot(record.id),
      screen,
    });
    const subscription = new Subscription({
      session: record.id,
      cursor: start.from === "events" ? start.cursor : 0,
      channel,
      store,
      coalesce,
      lagLimitBytes: this.options.clientLagLimitBytes,
      retryPauseMs: this.retryPauseMs,
      ...(screen ? { freshSnapshot: () => screens.snapshot(record.id) } : {}),
    });
    let set = this.bySession.get(record.id);
    if (!set) {
      set = new Set();
      this.bySession.set(record.id, set);
    }
    set.add(subscription);
    return {
      info: directory.info(record),
      subscription,
      start: () => {
        if (start.from === "fresh-snapshot") subscription.startFromFreshScreen();
        else subscription.start(start.from === "snapshot" ? start.snapshot : undefined);
      },
    };
  }

  /** Sessions some client here is attached to. */
  sessions(): string[] {
    return [...this.bySession.keys()];
  }

  /** Where each live subscription of a session stands (those catching up read for themselves). */
  livePositions(id: string): number[] {
    return [...(this.bySession.get(id) ?? [])].filter((s) => s.isLive).map((s) => s.position);
  }

  /** Events another hub node stored, offered to the session's clients as `stored` would. */
  offer(id: string, entries: readonly StoredBatchEntry[]): void {
    for (const subscription of this.bySession.get(id) ?? []) subscription.offer(entries);
  }

  detach(subscription: Subscription): void {
    subscription.close();
    this.bySession.get(subscription.session)?.delete(subscription);
  }
}
