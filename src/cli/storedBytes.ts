/**
 * The output a session's log holds now, as the hub's store sums it (`GET /api/sessions?stored=true`,
 * `storedBytes`): what `dispatch ls` and bare `dispatch` show as BYTES, `dispatch hosts stats` and
 * `dispatch images stats` as `stored`. Not `bytes`, all the session ever produced: retention
 * compacts a log to much less. While the hub's store is unavailable it lists its sessions without
 * those sums and says why (`SessionList.unknown`): they show as `?` (`sessionTable.bytesText`),
 * and why is said once on stderr.
 */
import { DispatchError } from "../core/errors.js";
import type { SessionList } from "../protocol/api.js";
import type { SessionInfo } from "../protocol/session.js";
import type { HubClient } from "./HubClient.js";

/** Says on stderr why `what` (the column or field) shows `?`, when the hub said it could not read its store. */
export function sayBytesUnknown(what: string, unknown: SessionList["unknown"]): void {
  if (unknown) console.error(`${what} unknown: ${unknown.storedBytes}`);
}

/** One session as `dispatch ls` lists it: with the bytes its log holds, unless `unknown` says why not. */
export async function storedSession(
  client: HubClient,
  name: string,
): Promise<{ session: SessionInfo; unknown?: SessionList["unknown"] }> {
  // By name first: an unknown one is refused with the hub's did-you-mean.
  const named = await client.getSession(name);
  const { sessions, unknown } = await client.listStoredSessions();
  const session = sessions.find((s) => s.id === named.id);
  if (!session)
    throw new DispatchError(
      "not_found",
      `session '${named.name}' was removed just now (\`dispatch ls\` lists them)`,
    );
  return unknown ? { session, unknown } : { session };
}
