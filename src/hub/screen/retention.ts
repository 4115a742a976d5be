/**
 * Retention: a session keeps at most `retentionBytes` of output after its oldest kept
 * snapshot. Events before the newest snapshot that satisfies the bound are dropped, with older
 * snapshots; history is never cut from the middle, and what was cut is noted in the record.
 */
import type { Store } from "../../store/Store.js";

/** Compacts when the bound is exceeded; true when something was dropped. */
export function compactBehindSnapshots(
  store: Store,
  session: string,
  totalBytes: number,
  retentionBytes: number,
): boolean {
  const positions = store.snapshotPositions(session);
  const keep = positions.find((p) => totalBytes - p.bytes <= retentionBytes);
  if (!keep || keep.seq <= 0 || keep === positions[0]) return false;
  if (store.firstSeq(session) > keep.seq) return false;
  store.compactThrough(session, keep.seq);
  const record = store.getSession(session);
  if (record) store.updateSession(session, { meta: { ...record.meta, compactedThrough: keep.seq } });
  return true;
}
