/**
 * `counter`, a kind that exists only to prove a kind is one module per side: its runtime counts
 * the lines it is sent and answers `total`. This is its hub half: the `count` event it writes
 * (and its schema), how that event folds into the record, what clients see, and its commands.
 */
import { z } from "zod";
import { command, type SessionKind } from "../../../src/kinds/kind.js";

export const CountData = z.object({ total: z.number().int().min(0), line: z.string() });

export const counterKind: SessionKind = {
  name: "counter",
  label: "counter",
  prepare: ({ options }) => ({
    meta: {},
    spawn: { start: z.object({ start: z.number().int().min(0).default(0) }).parse(options ?? {}).start },
  }),
  events: { count: CountData },
  fold: (record, event) => ({ meta: { ...record.meta, total: event.data.total } }),
  describe: (record) => ({ options: { total: Number(record.meta.total ?? 0) } }),
  // Revived, it counts on from the total stored in its log.
  revive: ({ record }) => ({ options: { start: Number(record.meta.total ?? 0) } }),
  commands: {
    // Sent to the runtime on its host.
    total: command({ description: "lines counted so far", args: z.object({}).optional() }),
    // Answered by the hub from the record, also once the session has ended.
    stored: command({
      description: "the total the hub has stored",
      args: z.object({}).optional(),
      whileLive: false,
      run: ({ record }) => ({ total: Number(record.meta.total ?? 0) }),
    }),
  },
};
