/**
 * Reconnect delays shared by every client of the hub (browser, CLI) and by remote hosts:
 * exponential with "equal jitter", so many clients do not reconnect in step after a restart.
 */

/** First retry comes quickly: most drops are a hub restart that is back within a second. */
export const BACKOFF_BASE_MS = 250;
/** Cap, like tRPC's client: a long outage costs at most one attempt every 30 s. */
export const BACKOFF_MAX_MS = 30_000;
/**
 * Cap for a link something waits on: a person at an attached terminal, a following `logs` or a
 * browser page in view, a host whose sessions print into a bounded buffer meanwhile. At 30 s a
 * hub down for ten seconds kept them away for up to 16 s more; a dial to a hub that is down is
 * one refused TCP connect, cheap at one per 5 s.
 */
export const WAITED_ON_MAX_MS = 5_000;

/**
 * Delay before attempt `attempt` (0-based): half of the capped ceiling fixed, half random.
 * `maxMs` lowers the cap for links that must come back sooner than clients need to.
 */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  maxMs: number = BACKOFF_MAX_MS,
): number {
  const ceiling = Math.min(maxMs, BACKOFF_BASE_MS * 2 ** Math.min(attempt, 20));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
