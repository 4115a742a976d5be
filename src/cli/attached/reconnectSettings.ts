/**
 * How long the terminal client keeps trying to reach a hub that went away before it gives up,
 * restores the terminal and exits 1: `DISPATCH_RECONNECT_GIVE_UP_MS`, default one minute (a
 * restart takes seconds; a hub down for longer needs a person).
 */
export const DEFAULT_RECONNECT_GIVE_UP_MS = 60_000;

export function reconnectGiveUpMs(env: NodeJS.ProcessEnv = process.env): number {
  const text = env.DISPATCH_RECONNECT_GIVE_UP_MS;
  if (text === undefined || text === "") return DEFAULT_RECONNECT_GIVE_UP_MS;
  if (!/^\d+$/.test(text.trim()))
    throw new Error(`invalid DISPATCH_RECONNECT_GIVE_UP_MS '${text}': use milliseconds (0 or more)`);
  return Number(text.trim());
}
