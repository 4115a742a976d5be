/**
 * The attach rule, in one place: where a client's stream starts and where it resumes when
 * what it would read next is no longer stored. Every client (browser, CLI, `logs --follow`)
 * ends at the same screen whichever way it starts.
 *
 * - `events`: exactly the stored events after the client's seq (as far as they are stored).
 * - `snapshot`: the current screen, always: the latest snapshot and the events after it,
 *   whatever seq the client had (for a screen kind without a snapshot yet, one is taken).
 * - `auto`: the latest snapshot when it is newer than the client's seq (a fresh or long-gone
 *   client), else exact events.
 */
import type { SnapshotRecord } from "../store/Store.js";

export type AttachMode = "auto" | "snapshot" | "events";

/** The protocol's `attach.snapshot` flag as a mode: absent `auto`, true `snapshot`, false `events`. */
export function attachMode(snapshot: boolean | undefined): AttachMode {
  return snapshot === undefined ? "auto" : snapshot ? "snapshot" : "events";
}

export type AttachStart =
  /** Send this snapshot, then the events after its seq. */
  | { from: "snapshot"; snapshot: SnapshotRecord }
  /** Send the events after `cursor`. */
  | { from: "events"; cursor: number }
  /** Take a snapshot of the current screen now, then start from it. */
  | { from: "fresh-snapshot" };

export interface AttachFacts {
  mode: AttachMode;
  /** Seq the client already has (clamped to the last stored seq). */
  cursor: number;
  /** The session's latest stored snapshot. */
  latest: SnapshotRecord | undefined;
  /** The hub keeps a screen for this kind, so it can take a snapshot on demand. */
  screen: boolean;
}

export function attachStart({ mode, cursor, latest, screen }: AttachFacts): AttachStart {
  switch (mode) {
    case "events":
      return { from: "events", cursor };
    case "snapshot":
      if (latest) return { from: "snapshot", snapshot: latest };
      return screen ? { from: "fresh-snapshot" } : { from: "events", cursor: 0 };
    case "auto":
      return latest && latest.seq > cursor
        ? { from: "snapshot", snapshot: latest }
        : { from: "events", cursor };
  }
}

/**
 * The next page starts after a hole (history before it was compacted behind a snapshot): the
 * client continues from the snapshot covering the hole, when there is one past its cursor.
 */
export function resumeOverHole(
  cursor: number,
  covering: SnapshotRecord | undefined,
): SnapshotRecord | undefined {
  return covering && covering.seq > cursor ? covering : undefined;
}
