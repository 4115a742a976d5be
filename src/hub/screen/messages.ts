/**
 * Messages between the hub and its screen worker (a worker thread that runs one headless
 * terminal emulator per terminal session, off the hub's main thread, so parsing output never
 * competes with storing and forwarding it).
 */

export type ToScreenWorker =
  /** Start tracking a session, optionally from a stored screen. */
  | { type: "open"; session: string; cols: number; rows: number; base?: string | undefined; seq: number }
  | { type: "write"; session: string; seq: number; data: Uint8Array }
  | { type: "resize"; session: string; seq: number; cols: number; rows: number }
  /** Output was lost: clear the screen and say so, so the next snapshot is a clean base. */
  | { type: "rebase"; session: string; seq: number; note: string }
  | { type: "snapshot"; session: string; ref: number }
  /** The screen's last `count` lines of text (a preview): see `screenRows.ts`. */
  | { type: "rows"; session: string; ref: number; count: number }
  | { type: "close"; session: string };

export type FromScreenWorker =
  /**
   * Output bytes parsed since the last report (the hub bounds what is in flight), the
   * buffers of parsed writes, handed back for reuse (`ScreenFeed`), and per printed slice how
   * much of it was left out as scrolled off (`FeedBudget` counts what printing costs), and
   * the preview lines that changed.
   */
  | {
      type: "parsed";
      bytes: number;
      buffers?: ArrayBuffer[] | undefined;
      printed?: { session: string; bytes: number; skipped: number }[] | undefined;
      /** Sessions whose preview line (`screenPreview`) changed with what was printed. */
      previews?: { session: string; line: string }[] | undefined;
    }
  | {
      type: "snapshot";
      ref: number;
      session: string;
      seq: number;
      cols: number;
      rows: number;
      screen: string;
    }
  | { type: "rows"; ref: number; session: string; seq: number; rows: string[] }
  | { type: "error"; ref?: number | undefined; session: string; message: string };

/** Scrollback kept in the emulator and in snapshots: what a fresh client can scroll back to. */
export const SNAPSHOT_SCROLLBACK_LINES = 2000;

/** Size of the pooled buffers that carry output to the worker and back (`ScreenFeed`). */
export const TRANSFER_BUFFER_BYTES = 256 * 1024;
/** The same, for a session printing a little (a prompt, a line now and then). */
export const SMALL_TRANSFER_BUFFER_BYTES = 16 * 1024;

/** Whether a buffer is one of the pooled sizes (handed back to the hub once parsed). */
export function isTransferBuffer(buffer: ArrayBufferLike): boolean {
  return buffer.byteLength === TRANSFER_BUFFER_BYTES || buffer.byteLength === SMALL_TRANSFER_BUFFER_BYTES;
}
