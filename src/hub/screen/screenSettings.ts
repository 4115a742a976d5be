/**
 * The screen tracker's tuning: how often screens are stored as snapshots, how much history is
 * kept behind them, how far the worker may fall behind a flood, and when it stops.
 */

/** Output between stored snapshots: bounds what a fresh client replays after the snapshot. */
export const DEFAULT_SNAPSHOT_EVERY_BYTES = 1024 * 1024;
/**
 * Streaming snapshots at most this often (bar retention's): each serializes the screen and its
 * scrollback (~110 ms at 2000×200), more than printing a MiB; a far-behind client gets a fresh one.
 */
export const STREAMING_SNAPSHOT_MIN_MS = 3000;
/** A session quiet for this long gets a snapshot, so attaching to an idle session replays nothing. */
export const IDLE_SNAPSHOT_MS = 1500;
/** Default bound on stored output per session; older output is compacted behind a snapshot. */
export const DEFAULT_RETENTION_BYTES = 64 * 1024 * 1024;
/** Events replayed per read when rebuilding a screen after a hub restart. */
export const REBUILD_PAGE_EVENTS = 256;
/**
 * Output queued for the worker but not yet parsed. Past the high mark (the emulator is slower
 * than a flood), sessions stop feeding it and are rebuilt later from the tail of their stored
 * output, so the hub's memory stays bounded and the log itself never waits.
 */
export const INFLIGHT_HIGH_BYTES = 16 * 1024 * 1024;
export const INFLIGHT_LOW_BYTES = 4 * 1024 * 1024;
/** How much recent output a rebuilt screen is made from: enough for the screen and scrollback. */
export const REBUILD_TAIL_BYTES = 1024 * 1024;
/**
 * Every screen quiet and stored as a snapshot for this long: the worker (a second V8 heap; ~4 MB
 * of the hub's RSS with 10 idle shells) is stopped, and screens are loaded from their snapshots
 * again, as after a restart, when output comes.
 */
export const DEFAULT_STOP_IDLE_AFTER_MS = 30_000;
/** How often a running worker is looked at for being idle. */
export const IDLE_CHECK_MS = 5_000;
/** Screens not built yet load in the background after a restart's catch-up, a few per tick. */
export const LOAD_DELAY_MS = 2000;
export const LOAD_BUDGET_MS = 5;
