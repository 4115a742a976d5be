/**
 * Screens behind their session's output, brought up to date for the screen tracker: a deferred
 * screen (not built since the hub started, or since the worker stopped idle) is loaded from its
 * latest snapshot and the output stored after it; a stale one (the worker fell behind a flood)
 * is rebuilt from the tail of the stored output. At once when the screen is needed, else in the
 * background once the worker has caught up, a few at a time so a keystroke never waits for it.
 */
import { isOutputEvent } from "../../protocol/events.js";
import type { Store } from "../../store/Store.js";
import type { StoredBatchEntry } from "../StoreWriter.js";
import type { ScreenWorker } from "./ScreenWorker.js";
import { screenChange } from "./screenEvents.js";
import * as tuning from "./screenSettings.js";
import { decodeScreen } from "./snapshotData.js";
import { deferredScreen, type Size, type Tracked } from "./tracked.js";

export interface ScreenCatchUpOptions {
  store: Store;
  worker: ScreenWorker;
  /** The tracker's screens: a deferred or stale one is brought up to date here. */
  tracked: Map<string, Tracked>;
  /** Feeds stored events to a screen as the tracker does (a load replays what followed its snapshot). */
  track: (session: string, size: Size, entries: readonly StoredBatchEntry[]) => void;
  /** Takes and stores a snapshot of a rebuilt screen. */
  snapshot: (session: string) => void;
}

export class ScreenCatchUp {
  private timer: NodeJS.Timeout | undefined;
  /** When deferred screens may start loading in the background (set by the first deferral). */
  private loadFrom = 0;

  constructor(private readonly options: ScreenCatchUpOptions) {}

  /** Whether some screen waits to be loaded or rebuilt in the background. */
  get waiting(): boolean {
    return this.timer !== undefined;
  }

  /** Starts tracking a session; its screen is built later (`load`), on use or in the background. */
  defer(session: string, size: Size): Tracked {
    const state = deferredScreen(size);
    this.options.tracked.set(session, state);
    if (this.loadFrom === 0) this.loadFrom = Date.now() + tuning.LOAD_DELAY_MS;
    this.schedule();
    return state;
  }

  /** The worker stopped idle: there is no restart's catch-up to make way for, screens load at once. */
  idle(): void {
    if (this.loadFrom === 0) this.loadFrom = Date.now();
  }

  /** Builds a session's screen from its latest stored snapshot and the output stored after it. */
  load(session: string, state: Tracked): void {
    const { store, worker } = this.options;
    const { size } = state;
    const snapshot = store.latestSnapshot(session);
    const base = snapshot ? decodeScreen(snapshot.data) : undefined;
    const from = base !== undefined && snapshot ? snapshot.seq : 0;
    state.deferred = false;
    state.drawnSinceSnapshot = true;
    state.seq = from;
    state.bytes = base !== undefined ? (snapshot?.bytes ?? 0) : 0;
    worker.post({
      type: "open",
      session,
      cols: base !== undefined && snapshot ? snapshot.cols : size.cols,
      rows: base !== undefined && snapshot ? snapshot.rows : size.rows,
      base,
      seq: from,
    });
    // Replay what was stored after the snapshot (at most about one snapshot interval).
    for (;;) {
      const page = store.readEvents(session, state.seq, tuning.REBUILD_PAGE_EVENTS);
      if (page.length === 0) break;
      this.options.track(
        session,
        size,
        page.map((event) => ({ event })),
      );
    }
  }

  /** A fresh screen from the last `tuning.REBUILD_TAIL_BYTES` of stored output, then a snapshot. */
  rebuild(session: string, state: Tracked): void {
    const { store, worker } = this.options;
    const startAfter = store.seqBeforeTailBytes(session, tuning.REBUILD_TAIL_BYTES);
    state.stale = false;
    state.drawnSinceSnapshot = true;
    state.feed.rebuilt();
    state.seq = startAfter;
    worker.post({ type: "open", session, cols: state.size.cols, rows: state.size.rows, seq: startAfter });
    for (;;) {
      const page = store.readEvents(session, state.seq, tuning.REBUILD_PAGE_EVENTS);
      if (page.length === 0) break;
      const output: Uint8Array[] = [];
      for (const event of page) {
        if (isOutputEvent(event)) output.push(event.data);
        else if (event.type === "resize") {
          if (output.length > 0) worker.postOutput(session, state.seq, output.splice(0));
          worker.post(screenChange(session, event).message);
        }
        state.seq = event.seq;
      }
      if (output.length > 0) worker.postOutput(session, state.seq, output);
    }
    this.options.snapshot(session);
  }

  /** Once the worker has caught up, loads deferred screens and rebuilds stale ones. */
  schedule(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.options.worker.inflightBytes > tuning.INFLIGHT_LOW_BYTES) return;
      const tickStart = performance.now();
      const loading = Date.now() >= this.loadFrom;
      let waiting = false;
      for (const [session, state] of this.options.tracked) {
        if (state.deferred) {
          waiting = true;
          if (loading && performance.now() - tickStart < tuning.LOAD_BUDGET_MS) this.load(session, state);
          continue;
        }
        if (!state.stale) continue;
        waiting = true;
        // One per tick: a rebuild reads and posts a MiB on the event loop, and ten floods
        // rebuilt in one tick would keep a keystroke waiting for tens of milliseconds.
        if (state.feed.rebuildDue()) {
          this.rebuild(session, state);
          break;
        }
      }
      if (waiting) return;
      this.dispose();
    }, 50);
    this.timer.unref();
  }

  dispose(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
