/** Reconnect delays: exponential with "equal jitter", so many tabs do not reconnect in step. */

/** First retry comes quickly: most drops are a hub restart that is back within a second. */
export const BACKOFF_BASE_MS = 250;
/** Cap, like tRPC's client: a long outage costs at most one attempt every 30 s. */
export const BACKOFF_MAX_MS = 30_000;

/** Delay before reconnect attempt `attempt` (0-based): half fixed, half random. */
export function backoffDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
