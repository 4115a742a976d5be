/**
 * A local host started by a hub that never reached it stops once that hub is gone: a hub that
 * dies while it starts (killed, a damaged store, a refused setting) leaves no host behind. The
 * hub starts its host early, beside its own start-up (`hub/earlyLocalHost.ts`), so this is
 * the only one left to notice. Once a hub has connected, the host outlives every hub as always.
 */
import { isAlive } from "./processAlive.js";

/** The starting hub's pid, in the host's environment. */
export const STARTED_BY_VARIABLE = "DISPATCH_HOST_STARTED_BY";

/** How often a host no hub has reached yet checks on the hub that started it. */
const STARTING_HUB_POLL_MS = 100;

/**
 * Calls `stop` once the hub `startedBy` names (`STARTED_BY_VARIABLE`'s value; a host started
 * by hand has none) has ended while `reached` still says no hub connected.
 */
export function watchStartingHub(options: {
  startedBy: string | undefined;
  reached: () => boolean;
  stop: (hubPid: number) => void;
}): void {
  const pid = Number(options.startedBy);
  if (!Number.isInteger(pid) || pid <= 0) return;
  const timer = setInterval(() => {
    if (options.reached()) {
      clearInterval(timer);
      return;
    }
    if (isAlive(pid)) return;
    clearInterval(timer);
    options.stop(pid);
  }, STARTING_HUB_POLL_MS);
  // The host's socket keeps it running; this watch alone must not.
  timer.unref();
}
