/**
 * The sessions as `dispatch ls` lists them: as the hub holds them, each with the output bytes
 * its log holds now, which only the store can sum. While the store cannot be read (a
 * PostgreSQL server away) the list is still the hub's, only without those bytes, and it says
 * why: a person sees what is known and what is not, rather than no list at all. The first read
 * that fails for the storage's reasons ends the reading: each further one would wait on the
 * same server (up to its timeout, on a server that stopped answering).
 */
import type { SessionList } from "../protocol/api.js";
import type { SessionInfo } from "../protocol/session.js";
import { isStorageError } from "../store/storageErrors.js";

/** Why a list has no stored bytes, said to whoever asked for it (not only the hub's owner). */
export const STORED_BYTES_UNREADABLE =
  "the hub's store is unavailable, so it cannot read how much output each session's log holds; everything else is as the hub knows it now (`dispatch status` on the hub says what is failing)";

export function withStoredBytes(
  sessions: readonly SessionInfo[],
  storedBytes: (sessionId: string) => number,
): SessionList {
  const counted: SessionInfo[] = [];
  for (const session of sessions) {
    try {
      counted.push({ ...session, storedBytes: storedBytes(session.id) });
    } catch (err) {
      if (!isStorageError(err)) throw err;
      return { sessions: [...sessions], unknown: { storedBytes: STORED_BYTES_UNREADABLE } };
    }
  }
  return { sessions: counted };
}
