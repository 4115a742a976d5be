/**
 * What the host sends its hub, in the order a person would want: control messages (replies,
 * pongs) at once, and session events through per-session queues, with only a small window of
 * bytes handed to the socket at a time. Without it every event went straight into the
 * socket's buffer, so a keystroke's echo (and a heartbeat's pong) queued behind megabytes of
 * other sessions' floods: echo took seconds and a busy host was dropped for missing beats.
 *
 * Sessions take turns (round robin, one event each), and a session that received input within
 * `INTERACTIVE_WINDOW_MS` goes first: a small echo never waits behind bulk output. Order within
 * a session is kept, so the hub sees each session's seqs in order, as before.
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
/** A session that got input this recently is interactive: its output jumps the queue. */
const INTERACTIVE_WINDOW_MS = 1000;

interface Queued {
  wire: Uint8Array | string;
  bytes: number;
}

export class HubOutbox {
  private readonly queues = new Map<string, Queued[]>();
  /** Sessions with queued events, in turn order. */
  private readonly turns: string[] = [];
  private readonly lastInputAt = new Map<string, number>();
  private inFlight = 0;
  private closed = false;

  constructor(private readonly socket: OutboxSocket) {}

  /** Bytes queued for the hub, per session, and not yet handed to the socket. */
  queuedBytes(session: string): number {
    let total = 0;
    for (const item of this.queues.get(session) ?? []) total += item.bytes;
    return total;
  }

  /** A reply, pong or hello: straight to the socket, ahead of every queued event. */
  control(wire: string): void {
    if (this.closed) return;
    this.send({ wire, bytes: wire.length });
  }

  /** A session's event, after every earlier event of the same session. */
  event(session: string, wire: Uint8Array | string): void {
    if (this.closed) return;
    const bytes = typeof wire === "string" ? wire.length : wire.byteLength;
    let queue = this.queues.get(session);
    if (!queue) {
      queue = [];
      this.queues.set(session, queue);
    }
    if (queue.length === 0) this.turns.push(session);
    queue.push({ wire, bytes });
    this.pump();
  }

  /** The session just received input: its next output is interactive. */
  input(session: string): void {
    this.lastInputAt.set(session, Date.now());
  }

  forget(session: string): void {
    this.queues.delete(session);
    this.lastInputAt.delete(session);
    const index = this.turns.indexOf(session);
    if (index >= 0) this.turns.splice(index, 1);
  }

  /** The link is gone: nothing more is sent (the events stay in each session's buffer). */
  close(): void {
    this.closed = true;
    this.queues.clear();
    this.turns.length = 0;
  }

  private pump(): void {
    while (!this.closed && this.inFlight < IN_FLIGHT_MAX_BYTES && this.turns.length > 0) {
      const session = this.nextTurn();
      const queue = this.queues.get(session) as Queued[];
      const item = queue.shift() as Queued;
      if (queue.length > 0) this.turns.push(session);
      else this.queues.delete(session);
      this.send(item);
    }
  }

  /** The interactive session that waits longest, else the next in turn. */
  private nextTurn(): string {
    const now = Date.now();
    const index = this.turns.findIndex((s) => now - (this.lastInputAt.get(s) ?? 0) < INTERACTIVE_WINDOW_MS);
    return this.turns.splice(Math.max(0, index), 1)[0] as string;
  }

  private send(item: Queued): void {
    this.inFlight += item.bytes;
    this.socket.send(item.wire, () => {
      this.inFlight -= item.bytes;
      this.pump();
    });
  }
}
