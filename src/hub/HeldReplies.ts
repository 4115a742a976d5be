/**
 * A host's answers about a session, held until the hub has stored the events the host sent
 * before them. The host sends such an answer after the session's earlier events
 * (`host/HubOutbox.reply`), so they are in by the time it arrives, but the intake commits in
 * batches a moment later: an evaluation's answer handed on at once reached its asker while its
 * `eval-end` still waited in the batch, and the history read right after showed the cell
 * running. Held here, the answer leaves right after the batch that stores them, so whatever
 * the asker reads next (history, the record, a subscription) already holds what came before.
 */

/**
 * Longest an answer is held: a safety net for events that are never stored in this process (a
 * cluster peer stored the same seqs first). Far beyond a commit's few milliseconds, far below a
 * request's timeout.
 */
const HOLD_MAX_MS = 2_000;

interface Held {
  /** The seq the session must be stored through. */
  through: number;
  deliver: () => void;
  timer: NodeJS.Timeout;
}

export class HeldReplies {
  private readonly held = new Map<string, Held[]>();

  /** Hands `deliver` on once `session` is stored through `through` (at once when it already is). */
  hold(session: string, through: number, storedThrough: number, deliver: () => void): void {
    if (through <= storedThrough) {
      deliver();
      return;
    }
    let list = this.held.get(session);
    if (!list) {
      list = [];
      this.held.set(session, list);
    }
    const entry: Held = {
      through,
      deliver,
      timer: setTimeout(() => this.expire(session, entry), HOLD_MAX_MS),
    };
    entry.timer.unref();
    list.push(entry);
  }

  /** `session` is stored through `seq`: its answers waiting for no more are handed on, in order. */
  stored(session: string, seq: number): void {
    const list = this.held.get(session);
    if (!list) return;
    const ready = list.filter((entry) => entry.through <= seq);
    if (ready.length === 0) return;
    const waiting = list.filter((entry) => entry.through > seq);
    if (waiting.length > 0) this.held.set(session, waiting);
    else this.held.delete(session);
    for (const entry of ready) this.handOn(entry);
  }

  /**
   * Hands on the answers about `session` (every session's without one) now: their events will
   * not be stored soon (a failed commit, the session removed or revived, the hub stopping), and
   * the answer is still right.
   */
  release(session?: string): void {
    const sessions = session === undefined ? [...this.held.keys()] : [session];
    for (const id of sessions) {
      const list = this.held.get(id) ?? [];
      this.held.delete(id);
      for (const entry of list) this.handOn(entry);
    }
  }

  private expire(session: string, entry: Held): void {
    const list = this.held.get(session);
    const index = list?.indexOf(entry) ?? -1;
    if (!list || index < 0) return;
    list.splice(index, 1);
    if (list.length === 0) this.held.delete(session);
    entry.deliver();
  }

  private handOn(entry: Held): void {
    clearTimeout(entry.timer);
    entry.deliver();
  }
}
