/**
 * Keeps the current screen of every terminal session (a headless emulator per session, in a
 * worker thread) and stores snapshots of it: every `snapshotEveryBytes` of output, when output
 * pauses, on exit and right after a gap. Attaching then costs a snapshot plus the few events
 * after it, whatever the history size. Retention compacts history behind snapshots. A screen
 * behind its output (not loaded yet, or behind a flood) is brought up by `ScreenCatchUp`.
 */
import type { Logger } from "pino";
import { isOutputEvent } from "../../protocol/events.js";
import type { Store } from "../../store/Store.js";
import type { StoredBatchEntry } from "../StoreWriter.js";
import { compactBehindSnapshots } from "./retention.js";
import { ScreenCatchUp } from "./ScreenCatchUp.js";
import { ScreenWorker } from "./ScreenWorker.js";
import { screenChange } from "./screenEvents.js";
import * as tuning from "./screenSettings.js";
import { encodeScreen } from "./snapshotData.js";
import { idleSnapshotRows } from "./snapshotRows.js";
import { deferredScreen, drawsOnScreen, type Size, type Tracked } from "./tracked.js";

export interface ScreenTrackerOptions {
  store: Store;
  logger: Logger;
  snapshotEveryBytes?: number;
  retentionBytes?: number;
  stopIdleAfterMs?: number;
  /** A session's one-line preview, read off its screen (`screenPreview`), changed. */
  onPreview?: (session: string, line: string) => void;
}

export class ScreenTracker {
  /** Started on first use: a hub with no terminal output pays nothing for it. */
  private readonly worker: ScreenWorker;
  private readonly tracked = new Map<string, Tracked>();
  /**
   * Sessions whose log this hub has seen from its first event, none of it drawing yet (a new
   * session's `start`): the seq seen through. Their first output opens a blank screen at once
   * instead of a deferred one that reads back from the store what it was just handed.
   */
  private readonly blankThrough = new Map<string, number>();
  /** Loads deferred screens and rebuilds stale ones, on use or in the background. */
  private readonly catchUp: ScreenCatchUp;
  private readonly snapshotEveryBytes: number;
  private readonly retentionBytes: number;
  private readonly idleCheck: NodeJS.Timeout;

  constructor(private readonly options: ScreenTrackerOptions) {
    this.snapshotEveryBytes = options.snapshotEveryBytes ?? tuning.DEFAULT_SNAPSHOT_EVERY_BYTES;
    this.retentionBytes = options.retentionBytes ?? tuning.DEFAULT_RETENTION_BYTES;
    this.worker = new ScreenWorker(options.logger);
    this.catchUp = new ScreenCatchUp({
      store: options.store,
      worker: this.worker,
      tracked: this.tracked,
      track: (session, size, entries) => this.track(session, size, entries),
      snapshot: (session) => void this.snapshot(session),
    });
    this.worker.on("printed", (session, bytes, skipped) =>
      this.tracked.get(session)?.feed.printed(bytes, skipped),
    );
    // A screen behind a flood would announce an older line than the output's own: the intake
    // reads the preview from the output then (`readsPreview`).
    this.worker.on("preview", (session, line) => {
      if (this.readsPreview(session)) options.onPreview?.(session, line);
    });
    // Looked at as often as the quiet time it waits for, when that is short (a test's second).
    const idleCheckMs = Math.min(tuning.IDLE_CHECK_MS, options.stopIdleAfterMs ?? tuning.IDLE_CHECK_MS);
    this.idleCheck = setInterval(() => this.stopIfIdle(), idleCheckMs);
    this.idleCheck.unref();
  }

  /** Whether the worker thread runs now. */
  get workerRunning(): boolean {
    return this.worker.running;
  }

  /**
   * Whether a terminal session's preview comes from its screen: always, but while its screen is
   * behind a flood (`stale`). A screen not in memory (the session never printed, the worker
   * stopped while every screen was idle, the hub restarted) is loaded with the output that just
   * came and reports its line a moment later; the output's line read meanwhile (a fragment of a
   * redraw, a progress line erased since) showed in the session list and was then replaced.
   */
  readsPreview(session: string): boolean {
    return this.tracked.get(session)?.stale !== true;
  }

  /** Feeds newly stored events of one terminal session. */
  track(session: string, size: Size, entries: readonly StoredBatchEntry[]): void {
    const state = this.tracked.get(session) ?? this.begin(session, size, entries);
    // A session that never printed has a blank screen: no emulator (nor worker) until it does.
    if (!state) return;
    // The store holds these entries: loading reads them.
    if (state.deferred) return;
    let snapshotNow = false;
    // Consecutive output goes to the worker as one message (a replay is thousands of events).
    const output: Uint8Array[] = [];
    let outputSeq = 0;
    if (this.worker.inflightBytes > tuning.INFLIGHT_HIGH_BYTES) state.stale = true;
    for (const { event } of entries) {
      if (event.seq <= state.seq) continue;
      state.seq = event.seq;
      if (!state.stale && isOutputEvent(event) && !state.feed.take(event.data.length)) state.stale = true;
      if (state.stale) {
        state.drawnSinceSnapshot = true;
        if (isOutputEvent(event)) {
          state.bytes += event.data.length;
          state.feed.passed();
        }
        continue;
      }
      if (isOutputEvent(event)) {
        state.drawnSinceSnapshot = true;
        output.push(event.data);
        outputSeq = event.seq;
        state.bytes += event.data.length;
        state.bytesSinceSnapshot += event.data.length;
        // A long replay (a screen loaded late) too leaves the snapshots retention cuts at.
        if (state.bytesSinceSnapshot >= this.retentionBytes / 4) {
          this.worker.postOutput(session, outputSeq, output.splice(0));
          void this.snapshot(session);
        }
        continue;
      }
      if (output.length > 0) this.worker.postOutput(session, outputSeq, output.splice(0));
      const change = screenChange(session, event);
      if (change.message.type !== "write") state.drawnSinceSnapshot = true;
      this.worker.post(change.message);
      snapshotNow ||= change.snapshotNow;
    }
    if (output.length > 0) this.worker.postOutput(session, outputSeq, output);
    if (state.stale) {
      this.catchUp.schedule();
      return;
    }
    // Retention can only cut at snapshots: keep at least four per retention window, so a
    // flood never leaves too few places to cut and too little history behind.
    const due =
      state.bytesSinceSnapshot >= this.snapshotEveryBytes &&
      (Date.now() - state.snapshotAt >= tuning.STREAMING_SNAPSHOT_MIN_MS ||
        state.bytesSinceSnapshot >= this.retentionBytes / 4);
    if (snapshotNow || due) {
      void this.snapshot(session);
    } else if (state.bytesSinceSnapshot > 0) {
      if (state.idleTimer) clearTimeout(state.idleTimer);
      state.idleTimer = setTimeout(() => void this.snapshot(session), tuning.IDLE_SNAPSHOT_MS);
      state.idleTimer.unref();
    }
  }

  /** The session's screen right now (serialized), e.g. to revive it. */
  async currentScreen(session: string, size: Size): Promise<string> {
    const state = this.tracked.get(session) ?? this.catchUp.defer(session, size);
    if (state.deferred) this.catchUp.load(session, state);
    if (state.stale) this.catchUp.rebuild(session, state);
    const reply = await this.worker.request(session);
    return reply.type === "snapshot" ? reply.screen : "";
  }

  /**
   * The last `count` lines of the session's screen as text (the picker's preview), undefined when
   * the hub has no screen to read them from: the session never printed, or its screen is behind a
   * flood (plain lines, which the output read again gives as well). A screen not in memory (the
   * worker stopped while every screen was idle, or the hub restarted) is read from its latest
   * snapshot when no output was stored after it (`idleSnapshotRows`), else loaded from the
   * snapshot and the output after it, as for an attach, and kept until the worker idles again.
   */
  async lastRows(session: string, size: Size, count: number): Promise<string[] | undefined> {
    let state = this.tracked.get(session);
    if (!state || state.deferred) {
      const stored = idleSnapshotRows(this.options.store, session, count);
      if (stored === "no snapshot") return undefined;
      if (stored !== "needs the screen") return stored;
      state ??= this.catchUp.defer(session, size);
    }
    if (state.stale) return undefined;
    if (state.deferred) this.catchUp.load(session, state);
    const reply = await this.worker.requestRows(session, count);
    return reply.type === "rows" ? reply.rows : undefined;
  }

  /** Stops tracking a session (removed). */
  forget(session: string): void {
    this.blankThrough.delete(session);
    const state = this.tracked.get(session);
    if (!state) return;
    if (state.idleTimer) clearTimeout(state.idleTimer);
    this.tracked.delete(session);
    this.worker.post({ type: "close", session });
  }

  async dispose(): Promise<void> {
    this.catchUp.dispose();
    clearInterval(this.idleCheck);
    for (const state of this.tracked.values()) if (state.idleTimer) clearTimeout(state.idleTimer);
    await this.worker.stop();
  }

  /** Takes and stores a snapshot now; resolves once stored. */
  async snapshot(session: string): Promise<void> {
    const state = this.tracked.get(session);
    if (!state) return;
    if (state.deferred) this.catchUp.load(session, state);
    if (state.idleTimer) clearTimeout(state.idleTimer);
    state.idleTimer = undefined;
    state.bytesSinceSnapshot = 0;
    state.snapshotAt = Date.now();
    const bytes = state.bytes;
    const { store } = this.options;
    const last = state.drawnSinceSnapshot ? undefined : store.latestSnapshot(session);
    if (last && last.seq === state.snapshotSeq && store.getSession(session)) {
      // Nothing drawn since (a command's exit after the pause's snapshot): the same screen,
      // without serializing it again (its scrollback costs the worker ~0.1 s).
      if (state.seq > last.seq) store.putSnapshot({ ...last, seq: state.seq, ts: Date.now(), bytes });
      state.snapshotSeq = state.seq;
      return;
    }
    // Until this one is stored, the last stored one is not the screen.
    state.drawnSinceSnapshot = false;
    state.snapshotSeq = undefined;
    const reply = await this.worker.request(session);
    if (this.tracked.get(session) !== state) return;
    if (reply.type !== "snapshot" || !store.getSession(session)) {
      state.drawnSinceSnapshot = true;
      return;
    }
    store.putSnapshot({
      session,
      seq: reply.seq,
      ts: Date.now(),
      cols: reply.cols,
      rows: reply.rows,
      data: encodeScreen(reply.screen),
      bytes,
    });
    state.snapshotSeq = reply.seq;
    if (compactBehindSnapshots(store, session, bytes, this.retentionBytes))
      this.options.logger.debug({ session }, "compacted history behind a snapshot");
  }

  /**
   * A session's first batch here that draws: a blank screen when everything before it is known
   * to draw nothing (a new session: during a flood's first seconds, loading read back and
   * re-posted tens of MiB on the hub's thread), else a deferred one. Nothing yet when it does
   * not draw.
   */
  private begin(session: string, size: Size, entries: readonly StoredBatchEntry[]): Tracked | undefined {
    const first = entries[0]?.event.seq;
    const fromStart = first !== undefined && first === (this.blankThrough.get(session) ?? 0) + 1;
    if (!entries.some(({ event }) => drawsOnScreen(event))) {
      const last = entries[entries.length - 1]?.event.seq;
      if (fromStart && last !== undefined) this.blankThrough.set(session, last);
      return undefined;
    }
    this.blankThrough.delete(session);
    if (!fromStart) return this.catchUp.defer(session, size);
    // Its streaming snapshots wait the same minimum from its start as between each other: one
    // at its first MiB serialized the whole scrollback a moment into a flood, and a client
    // attaching meanwhile replays no more than it would between two streaming snapshots.
    const state: Tracked = {
      ...deferredScreen(size),
      deferred: false,
      seq: first - 1,
      snapshotAt: Date.now(),
    };
    this.tracked.set(session, state);
    this.worker.post({ type: "open", session, cols: size.cols, rows: size.rows, seq: state.seq });
    return state;
  }

  /**
   * Stops the worker once every screen has been quiet for a while with its latest state in a
   * stored snapshot. Nothing is tracked afterwards: the next output of a session defers it, and
   * its screen is loaded from that snapshot and the output after it, as after a hub restart.
   */
  private stopIfIdle(): void {
    const quietFor = this.options.stopIdleAfterMs ?? tuning.DEFAULT_STOP_IDLE_AFTER_MS;
    if (!this.worker.running || !this.worker.quietFor(quietFor) || this.catchUp.waiting) return;
    for (const state of this.tracked.values()) {
      if (state.deferred || state.stale || state.bytesSinceSnapshot > 0 || state.idleTimer) return;
    }
    this.tracked.clear();
    this.catchUp.idle();
    void this.worker.stop();
    this.options.logger.debug("screens idle: screen worker stopped");
  }
}
