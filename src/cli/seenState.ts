/**
 * What the user has seen: the last seq per session id, in `$DISPATCH_HOME/seen.json`, updated
 * when the terminal client leaves a session. A session whose `lastSeq` is past it printed or
 * exited since you last looked (the picker's and status bar's unread marker).
 */
import { readFileSync, renameSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { SessionInfo } from "../protocol/session.js";

const SeenFile = z.object({ version: z.literal(1), seen: z.record(z.string(), z.number().int()) });

export class SeenState {
  private readonly seen = new Map<string, number>();
  /** Ids this process pruned: not taken back from the file another process wrote. */
  private readonly forgotten = new Set<string>();
  /** When the file was last read (its mtime), so another client's marks are picked up. */
  private readAt = -1;

  constructor(private readonly file: string) {
    this.load();
  }

  static inHome(home: string): SeenState {
    return new SeenState(join(home, "seen.json"));
  }

  /** Whether `session` has events the user has not seen (a session never looked at counts). */
  isUnread(session: SessionInfo): boolean {
    this.load();
    return session.lastSeq > (this.seen.get(session.id) ?? 0);
  }

  /** Records that the user has seen `session` up to `seq`, and saves. */
  mark(id: string, seq: number): void {
    if ((this.seen.get(id) ?? 0) >= seq) return;
    this.seen.set(id, seq);
    this.forgotten.delete(id);
    this.save();
  }

  /** Forgets sessions that no longer exist, so the file does not grow forever. */
  prune(sessions: readonly SessionInfo[]): void {
    const ids = new Set(sessions.map((s) => s.id));
    let changed = false;
    for (const id of this.seen.keys()) {
      if (!ids.has(id)) {
        this.seen.delete(id);
        this.forgotten.add(id);
        changed = true;
      }
    }
    if (changed) this.save();
  }

  /**
   * Takes in what other clients (an attach beside this picker) marked since the last read:
   * each session's furthest seen seq wins, so no client's save undoes another's.
   */
  private load(): void {
    let mtime: number;
    try {
      mtime = statSync(this.file).mtimeMs;
    } catch {
      // No file yet: nothing else was seen.
      return;
    }
    if (mtime === this.readAt) return;
    this.readAt = mtime;
    for (const [id, seq] of Object.entries(readSeen(this.file))) {
      if (!this.forgotten.has(id) && seq > (this.seen.get(id) ?? 0)) this.seen.set(id, seq);
    }
  }

  private save(): void {
    this.load();
    const temp = `${this.file}.${process.pid}.tmp`;
    try {
      writeFileSync(temp, JSON.stringify({ version: 1, seen: Object.fromEntries(this.seen) }), {
        mode: 0o600,
      });
      renameSync(temp, this.file);
      this.readAt = statSync(this.file).mtimeMs;
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
