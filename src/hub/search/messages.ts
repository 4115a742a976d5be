/** Messages between the hub and the search index worker (`indexWorker.ts`). */

export type ToIndexWorker =
  /** Something was stored: index it soon. */
  | { type: "index" }
  /** Index everything stored so far, then answer `indexed` with the same id. */
  | { type: "flush"; id: number }
  /** The WAL has grown enough (`WalCheckpoints`): checkpoint it on the worker's thread. */
  | { type: "checkpoint" };

export type FromIndexWorker =
  | { type: "indexed"; id: number }
  | { type: "error"; message: string }
  /** It checkpointed the WAL on its connection (the hub's own commits then need not). */
  | { type: "checkpointed" }
  /** Nothing left to index after the first `received` messages: the hub may stop the worker. */
  | { type: "idle"; received: number };
