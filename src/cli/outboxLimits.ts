/**
 * How long and how much input `InputOutbox` keeps while the hub or the session's host is away.
 */

/**
 * How long input waits for a host that is not linked to the hub (`DISPATCH_INPUT_HOLD_MS`). A
 * host whose link dropped dials back within its backoff (at most 5 s); one away for a minute is
 * likely down, and a person typing should hear so rather than have their keys go in much later.
 */
const DEFAULT_HOLD_MS = 60_000;

export function inputHoldMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.DISPATCH_INPUT_HOLD_MS?.trim();
  if (text === undefined || text === "") return DEFAULT_HOLD_MS;
  if (!/^\d+$/.test(text))
    throw new Error(`invalid DISPATCH_INPUT_HOLD_MS '${text}': use milliseconds (0 or more)`);
  return Number(text);
}

/**
 * Characters kept while they wait for the hub or the host: a large paste's worth (a paste of a
 * megabyte or more made while the hub restarts is sent whole once it is back), bounded so that
 * what is typed into a client whose hub stays away cannot grow it without end.
 */
export const MAX_WAITING_CHARS = 16 * 1024 * 1024;

/** The longest pause between two tries while the host is away (250 ms doubling to this). */
export const HOLD_RETRY_MAX_MS = 2_000;
