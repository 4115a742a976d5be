import type { Logger } from "pino";
import type { SessionCommands } from "../hub/SessionCommands.js";

/** How often the automatic gc policy looks for ended sessions past their age. */
const AUTO_GC_INTERVAL_MS = 60_000;

/** Removes ended sessions past `afterMs` as they age, when the hub has such a policy. */
export function startAutoGc(
  sessions: SessionCommands,
  afterMs: number | undefined,
  logger: Logger,
): NodeJS.Timeout | undefined {
  if (afterMs === undefined) return undefined;
  const timer = setInterval(
    () => {
      const removed = sessions.gc(afterMs);
      if (removed.length > 0) logger.info({ removed }, "automatic gc removed ended sessions");
    },
    Math.min(AUTO_GC_INTERVAL_MS, Math.max(1000, afterMs)),
  );
  timer.unref();
  return timer;
}
