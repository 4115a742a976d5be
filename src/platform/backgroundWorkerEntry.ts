/**
 * First module of a background worker thread (`backgroundWorker.ts`): lowers the thread's
 * priority, then loads the worker's module, named by the last argument.
 */
import { lowerThreadPriority } from "./threadPriority.js";

lowerThreadPriority();
const module = process.argv.at(-1);
if (!module?.startsWith("file:"))
  throw new Error("a background worker needs its module's file: URL as its argument");
await import(module);
