/**
 * The search index worker's connection (`hub/search/indexWorker.ts`): it reads the log, writes
 * the index and checkpoints the WAL, nothing else. Opened without the store around it (its
 * records, migrations, backup and integrity code): the hub opened and migrated the database
 * before it started the worker, and loading all that was most of the worker's start-up, paid
 * again at every flood after the worker's idle stop (~220 -> ~100 ms of CPU).
 */
import { attachSearchFile, openConnection } from "./connection.js";
import { SearchIndex } from "./SearchIndex.js";

export interface SearchConnection {
  readonly search: SearchIndex;
  /** Copies the write-ahead logs (the log's and the index's) back into their files. */
  checkpoint(): void;
  close(): void;
}

export function openSearchConnection(path: string): SearchConnection {
  const db = openConnection(path);
  try {
    attachSearchFile(db, path);
  } catch (err) {
    db.close();
    throw err;
  }
  return {
    search: new SearchIndex(db),
    checkpoint: () => void db.pragma("wal_checkpoint(PASSIVE)"),
    close: () => db.close(),
  };
}
