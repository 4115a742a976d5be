/**
 * Background worker threads (the screen emulator, the search indexer) run at a lower CPU
 * priority than the hub's event loop. Under a flood the hub's threads together want more than
 * the machine's cores; at equal priority the scheduler shares them evenly and the event loop,
 * which carries every keystroke and its echo, waits its turn behind xterm parsing and FTS
 * tokenizing. Both workers catch up when the flood ends (the screen from its queue or the
 * stored output, the index from its cursor), so only their lag grows, never a person's wait.
 *
 * On Linux a nice value belongs to a thread, and `setPriority(0, …)` sets the calling one's.
 */
import { setPriority } from "node:os";

/** How much lower: nice 10 gets about a tenth of the CPU a nice-0 thread gets when both want it. */
export const BACKGROUND_NICE = 10;

/** Lowers the calling thread's priority (`backgroundWorkerEntry.ts` does, before loading the worker). */
export function lowerThreadPriority(nice = BACKGROUND_NICE): void {
  try {
    setPriority(0, nice);
  } catch {
    // Not permitted or not supported here: the worker still works, only at normal priority.
  }
}
