/**
 * What the host sends its hub, in the order a person would want: control messages (pongs,
 * hellos, replies) at once, and session events through per-session queues. Without it every event went
 * straight into the socket's buffer, so a keystroke's echo (and a heartbeat's pong) queued
 * behind megabytes of other sessions' floods: echo took seconds and a busy host was dropped
 * for missing beats.
 *
 * Sessions take turns (round robin, one event each), and a session that received input within
 * `INTERACTIVE_WINDOW_MS` goes first: a small echo never waits behind bulk output queued here.
 * Order within a session is kept, so the hub sees each session's seqs in order, as before.
 *
 * Two bounds keep bulk from piling up *ahead* of an echo where this queue cannot reorder it:
 * bytes handed to the socket and not yet written (`IN_FLIGHT_MAX_BYTES`), and bytes sent and
 * not yet acknowledged by the hub (`LINK_WINDOW_BYTES`). The second one matters: the kernel's
 * socket buffers and the hub's own queue hold hundreds of KiB more than the first bound sees,
 * and a hub busy storing a flood reads them slowly, so an echo behind them waited 50-200 ms.
 * With the window, the whole path from here to the hub's commit holds at most that much bulk;
 * an interactive session's events are sent past the window (they are small, and the hub
 * commits them in a lane of their own).
 *
 * A reply about a session (`reply`) takes that session's lane: it leaves after every event the
 * session produced before it, so the hub never holds an answer whose events it has not seen
 * (an evaluation's answer ahead of its `eval-end`: reading the history right after the answer
 * showed the cell still running). The lane then goes first and past the window, so the answer
 * still overtakes other sessions' bulk. Messages about no session (pong, hello, `stats`) go
 * straight to the socket (`control`).
 */

/** The socket as the outbox needs it: `onWritten` runs once the data has left for the OS. */
export interface OutboxSocket {
  send(wire: Uint8Array | string, onWritten: () => void): void;
}

/**
 * Bytes handed to the socket and not yet written out. Small enough that an interactive event
 * queued behind them waits a fraction of a millisecond on loopback; large enough (four 64 KiB
 * output events) that a single flood still streams at full speed.
 */
const IN_FLIGHT_MAX_BYTES = 256 * 1024;
/**
 * Bulk bytes sent and not yet acknowledged (stored) by the hub, while nobody types on this
 * link: large enough that a flood keeps the hub busy between acknowledgements (the hub commits
 * in slices of 256 KiB and acknowledges each).
 */
export const LINK_WINDOW_BYTES = 1024 * 1024;
/**
 * The same bound while a session on the link is interactive: an echo then waits at most for
 * the hub to read and commit this much bulk (two 64 KiB output events; a hub busy with floods
 * on a shared machine stores ~10 MiB/s, so ~12 ms), and the floods slow down while a person
 * types, as they do under tmux.
 */
export const INTERACTIVE_LINK_WINDOW_BYTES = 128 * 1024;
/**
 * A full window with no acknowledgement for this long is forgiven: events the hub never
 * acknowledges (a session it does not know, a refused event, storage failing) must not stall
 * the link for good. The hub's own flow control (its resend after `sync`) still holds.
 */
const WINDOW_STALL_MS = 1000;
/** A session that got input this recently is interactive: its output jumps the queue. */
const INTERACTIVE_WINDOW_MS = 1000;

interface Queued {
  seq: number;
  wire: Uint8Array | string;
  bytes: number;
  /** A reply in its session's lane: not an event, so not counted against the window. */
  reply?: true;
}

/** A session's event sent to the hub and not yet acknowledged. */
interface Sent {
  seq: number;
  bytes: number;
}

export class HubOutbox {
  private readonly queues = new Map<string, Queued[]>();
  /** Sessions with queued events, in turn order. */
  private readonly turns: string[] = [];
  private readonly lastInputAt = new Map<string, number>();
  /** Replies queued per session: such a session's lane goes first, past the window. */
  private readonly replies = new Map<string, number>();
  private readonly unacked = new Map<string, Sent[]>();
  private unackedBytes = 0;
  private lastAnyInputAt = 0;
  private inFlight = 0;
  private stallTimer: NodeJS.Timeout | undefined;
  private closed = false;

  constructor(private readonly socket: OutboxSocket) {}

  /** Bytes queued for the hub, per session, and not yet handed to the socket. */
  queuedBytes(session: string): number {
    let total = 0;
    for (const item of this.queues.get(session) ?? []) total += item.bytes;
    return total;
  }

  /** Bytes sent to the hub and not yet acknowledged, over all sessions. */
  get unacknowledgedBytes(): number {
    return this.unackedBytes;
  }

  /** A pong, hello or reply about no session: straight to the socket, ahead of every queued event. */
  control(wire: string): void {
    if (this.closed) return;
    this.send({ seq: 0, wire, bytes: wire.length });
  }

  /**
   * A reply about `session`: after the session's queued events (at once when none is queued),
   * ahead of every other session's.
   */
  reply(session: string, wire: string): void {
    if (this.closed) return;
    const queue = this.queues.get(session);
    if (!queue || queue.length === 0) {
      this.control(wire);
      return;
    }
    queue.push({ seq: 0, wire, bytes: wire.length, reply: true });
    this.replies.set(session, (this.replies.get(session) ?? 0) + 1);
    this.pump();
  }

  /** A session's event (with its seq), after every earlier event of the same session. */
  event(session: string, event: { seq: number; wire: Uint8Array | string }): void {
    if (this.closed) return;
    const { seq, wire } = event;
    const bytes = typeof wire === "string" ? wire.length : wire.byteLength;
    let queue = this.queues.get(session);
    if (!queue) {
      queue = [];
      this.queues.set(session, queue);
    }
    if (queue.length === 0) this.turns.push(session);
    queue.push({ seq, wire, bytes });
    this.pump();
  }

  /** The session just received input: its next output is interactive. */
  input(session: string): void {
    this.lastAnyInputAt = Date.now();
    this.lastInputAt.set(session, this.lastAnyInputAt);
  }

  /** Whether someone typed on this link lately, into another session than `session`. */
  isBulkWhileTyping(session: string, now = Date.now()): boolean {
    return (
      now - this.lastAnyInputAt < INTERACTIVE_WINDOW_MS &&
      now - (this.lastInputAt.get(session) ?? 0) >= INTERACTIVE_WINDOW_MS
    );
  }

  /** The hub stored the session's events up to `seq`: they leave the window. */
  ack(session: string, seq: number): void {
    const sent = this.unacked.get(session);
    if (!sent) return;
    let count = 0;
    while (count < sent.length && (sent[count] as Sent).seq <= seq) {
      this.unackedBytes -= (sent[count] as Sent).bytes;
      count += 1;
    }
    if (count === 0) return;
    // Progress: the hub is storing, so a full window is not a stall.
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
    sent.splice(0, count);
    if (sent.length === 0) this.unacked.delete(session);
    this.pump();
  }

  /**
   * The hub said which seqs it holds (`sync`): whatever it has not acknowledged is sent again
   * from the session's buffer, so the old accounting is void.
   */
  resync(): void {
    this.unacked.clear();
    this.unackedBytes = 0;
  }

  forget(session: string): void {
    const queue = this.queues.get(session) ?? [];
    this.queues.delete(session);
    this.replies.delete(session);
    this.lastInputAt.delete(session);
    for (const sent of this.unacked.get(session) ?? []) this.unackedBytes -= sent.bytes;
    this.unacked.delete(session);
    const index = this.turns.indexOf(session);
    if (index >= 0) this.turns.splice(index, 1);
    // The hub stored the session's end, so its queued events are not needed; its replies are.
    for (const item of queue) if (item.reply && !this.closed) this.send(item);
    this.pump();
  }

  /** The link is gone: nothing more is sent (the events stay in each session's buffer). */
  close(): void {
    this.closed = true;
    this.queues.clear();
    this.replies.clear();
    this.turns.length = 0;
    this.resync();
    if (this.stallTimer) clearTimeout(this.stallTimer);
    this.stallTimer = undefined;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < IN_FLIGHT_MAX_BYTES && this.turns.length > 0) {
      const session = this.nextTurn();
      if (session === undefined) {
        this.waitForAcks();
        return;
      }
      const queue = this.queues.get(session) as Queued[];
      const item = queue.shift() as Queued;
      if (queue.length > 0) this.turns.push(session);
      else this.queues.delete(session);
      if (item.reply) this.replied(session);
      else this.track(session, item);
      this.send(item);
    }
    if (this.stallTimer && this.unackedBytes < this.window(Date.now())) {
      clearTimeout(this.stallTimer);
      this.stallTimer = undefined;
    }
  }

  /**
   * A session with a reply queued, else the interactive session that waits longest, else the
   * next in turn while the window has room; undefined when only bulk is queued and the window
   * is full.
   */
  private nextTurn(): string | undefined {
    const now = Date.now();
    let index = this.replies.size > 0 ? this.turns.findIndex((s) => this.replies.has(s)) : -1;
    if (index < 0)
      index = this.turns.findIndex((s) => now - (this.lastInputAt.get(s) ?? 0) < INTERACTIVE_WINDOW_MS);
    if (index < 0) {
      if (this.unackedBytes >= this.window(now)) return undefined;
      index = 0;
    }
    return this.turns.splice(index, 1)[0] as string;
  }

  /** The bulk window: small while someone types on this link, so their echo is not kept waiting. */
  private window(now: number): number {
    return now - this.lastAnyInputAt < INTERACTIVE_WINDOW_MS
      ? INTERACTIVE_LINK_WINDOW_BYTES
      : LINK_WINDOW_BYTES;
  }

  private replied(session: string): void {
    const left = (this.replies.get(session) ?? 1) - 1;
    if (left > 0) this.replies.set(session, left);
    else this.replies.delete(session);
  }

  private track(session: string, item: Queued): void {
    let sent = this.unacked.get(session);
    if (!sent) {
      sent = [];
      this.unacked.set(session, sent);
    }
    sent.push({ seq: item.seq, bytes: item.bytes });
    this.unackedBytes += item.bytes;
  }

  private waitForAcks(): void {
    if (this.stallTimer) return;
    this.stallTimer = setTimeout(() => {
      this.stallTimer = undefined;
      this.resync();
      this.pump();
    }, WINDOW_STALL_MS);
    this.stallTimer.unref();
  }

  private send(item: Queued): void {
    this.inFlight += item.bytes;
    this.socket.send(item.wire, () => {
      this.inFlight -= item.bytes;
      this.pump();
    });
  }
}
