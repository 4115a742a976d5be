/** What the screen tracker holds of each terminal session (`ScreenTracker.ts`). */
import { isOutputEvent, type SessionEvent } from "../../protocol/events.js";
import { FeedBudget } from "./FeedBudget.js";

export interface Tracked {
  /** Seq of the last event seen (sent to the worker unless `stale` or `deferred`). */
  seq: number;
  /** The worker fell behind and this session's screen skipped output: rebuild before use. */
  stale: boolean;
  /** Not built yet (first output since the hub started): loaded from the store on use or later. */
  deferred: boolean;
  size: Size;
  /** Total output bytes through `seq`. */
  bytes: number;
  bytesSinceSnapshot: number;
  /** When the last snapshot was requested (ms). */
  snapshotAt: number;
  /**
   * Seq of the snapshot last stored from this screen, and whether anything was drawn on it since
   * (output, a resize, a gap, the screen opened again): an exit or a pause after that snapshot
   * stores the same screen again at its own seq instead of serializing it once more.
   */
  snapshotSeq: number | undefined;
  drawnSinceSnapshot: boolean;
  idleTimer: NodeJS.Timeout | undefined;
  feed: FeedBudget;
}

export interface Size {
  cols: number;
  rows: number;
}

/** A session seen for the first time: its screen is built from the store when first needed. */
export function deferredScreen(size: Size): Tracked {
  return {
    seq: 0,
    stale: false,
    deferred: true,
    size,
    bytes: 0,
    bytesSinceSnapshot: 0,
    snapshotAt: 0,
    snapshotSeq: undefined,
    drawnSinceSnapshot: true,
    idleTimer: undefined,
    feed: new FeedBudget(),
  };
}

export function drawsOnScreen(event: SessionEvent): boolean {
  return isOutputEvent(event) || event.type === "gap";
}
