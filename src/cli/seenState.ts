/**
 * What the user has seen: the last seq per session id, in `$DISPATCH_HOME/seen.json`, updated
 * when the terminal client leaves a session. A session whose `lastSeq` is past it printed or
 * exited since you last looked (the picker's and status bar's unread marker).
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { SessionInfo } from "../protocol/session.js";

const SeenFile = z.object({ version: z.literal(1), seen: z.record(z.string(), z.number().int()) });

export class SeenState {
  private readonly seen: Map<string, number>;

  constructor(private readonly file: string) {
    this.seen = new Map(Object.entries(readSeen(file)));
  }

  static inHome(home: string): SeenState {
    return new SeenState(join(home, "seen.json"));
  }

  /** Whether `session` has events the user has not seen (a session never looked at counts). */
  isUnread(session: SessionInfo): boolean {
    return session.lastSeq > (this.seen.get(session.id) ?? 0);
  }

  /** Records that the user has seen `session` up to `seq`, and saves. */
  mark(id: string, seq: number): void {
    if ((this.seen.get(id) ?? 0) >= seq) return;
    this.seen.set(id, seq);
    this.save();
  }

  /** Forgets sessions that no longer exist, so the file does not grow forever. */
  prune(sessions: readonly SessionInfo[]): void {
    const ids = new Set(sessions.map((s) => s.id));
    let changed = false;
    for (const id of this.seen.keys()) {
      if (!ids.has(id)) {
        this.seen.delete(id);
        changed = true;
      }
    }
    if (changed) this.save();
  }

  private save(): void {
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify({ version: 1, seen: Object.fromEntries(this.seen) }), {
        mode: 0o600,
      });
      renameSync(temp, this.file);
    } catch {
      // Unread markers are a convenience: a read-only or missing home must not end the session.
    }
  }
}

function readSeen(file: string): Record<string, number> {
  try {
    const parsed = SeenFile.safeParse(JSON.parse(readFileSync(file, "utf8")));
    return parsed.success ? parsed.data.seen : {};
  } catch {
    // No file yet (or a broken one): nothing has been seen.
    return {};
  }
}
