/**
 * A module a daemon loads on first use rather than at start: a kind's implementation and its
 * heavy dependencies (an editor's Yjs, a workspace's Jupyter client). An idle hub or host
 * then holds neither their code nor their objects (docs/BENCHMARKS.md, "Memory: idle hub and
 * host"). The import runs once; a failed one is retried on the next use (a file replaced
 * during an upgrade) and reaches the caller as an error that names what could not be loaded.
 */
import { DispatchError } from "./errors.js";

export type LazyModule<M> = () => Promise<M>;

/** `what` names the module for people ("the editor kind's documents"). */
export function lazyModule<M>(what: string, load: () => Promise<M>): LazyModule<M> {
  let loading: Promise<M> | undefined;
  return () => {
    loading ??= load().catch((err: unknown) => {
      loading = undefined;
      const reason = err instanceof Error ? err.message : String(err);
      throw new DispatchError("internal", `could not load ${what}: ${reason}`, { cause: err });
    });
    return loading;
  };
}
