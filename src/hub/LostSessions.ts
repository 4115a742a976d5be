/**
 * Sessions whose host no longer runs them (a host started again without them, one gone for
 * good): the hub writes their `exit`, since no host ever will. While the store fails, that
 * write is tried again with each resend until it is stored; a batch of such a session that
 * failed would otherwise wait for a resend no host can send.
 */

import type { Logger } from "pino";
import { isLiveStatus } from "../core/liveness.js";
import type { SessionRecord } from "../protocol/session.js";
import type { Store } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import type { StorageHealth } from "./StorageHealth.js";
import type { StoreWriter } from "./StoreWriter.js";

export interface LostSessionsOptions {
  store: Store;
  directory: SessionDirectory;
  writer: StoreWriter;
  logger: Logger;
  health: StorageHealth;
  /** Asks for a resend later, which calls `retry`. */
  retryLater: () => void;
}

export class LostSessions {
  /** Sessions whose `exit` is not stored yet, with why they ended. */
  private readonly unclosed = new Map<string, string>();

  constructor(private readonly options: LostSessionsOptions) {}

  /** Writes the `exit` now, or (storage failing) once the store takes it. */
  close(record: SessionRecord, reason: string): void {
    const { store, writer, logger, health } = this.options;
    if (!this.unclosed.has(record.id))
      logger.warn({ session: record.id, host: record.host }, `session ended: ${reason}`);
    this.unclosed.set(record.id, reason);
    let read = true;
    try {
      writer.flush();
      writer.add({
        session: record.id,
        seq: store.lastSeq(record.id) + 1,
        ts: Date.now(),
        type: "exit",
        data: { code: null, signal: null, reason },
      });
      writer.flush();
    } catch (err) {
      if (!isStorageError(err)) throw err;
      read = false;
      health.failed(err, "writing the exit of a session its host lost");
    }
    // Not stored (its seq could not be read, or the commit failed): no host will resend it.
    if (read && !writer.awaitingResend.has(record.id)) this.unclosed.delete(record.id);
    else this.options.retryLater();
  }

  /** Tries each `exit` not stored yet again (a session revived or removed meanwhile is let go). */
  retry(): void {
    for (const [id, reason] of this.unclosed) {
      const record = this.options.directory.get(id);
      if (record && isLiveStatus(record.status)) this.close(record, reason);
      else this.unclosed.delete(id);
    }
  }
}
