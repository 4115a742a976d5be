/**
 * Input a CLI client must not lose to a hub that dies (SIGKILL, a restart) or a link that drops:
 * each one is numbered (`input.id`: this process's stream and a seq) and kept until the hub
 * acknowledges it. Whatever a connection took down with it unacknowledged is sent again, in
 * order and with the same ids, over the next one (`resend`); the hub and the session's host
 * apply an id once, so an input that did arrive (only its receipt was lost) is not applied
 * twice. It serves `dispatch chat` (its messages) and `dispatch attach` (its keys, through
 * `attached/Connection.ts`). docs/PROTOCOL.md, "Keys over a link that dies silently".
 *
 * A link can die without closing; an input sent into it then waits for ever. So the outbox
 * watches the connection its inputs went over (`LinkWatch.ts`): no receipt and no other word
 * from the hub for a few seconds after sending one, it closes that connection, and the client's
 * reconnect (which follows any close) brings the resend.
 *
 * The hub answers `host_unavailable` when the session's host is not linked to it right now (a
 * dropped link it dials back), or when a hub node relaying the input went away before it said
 * the input arrived: the input is held, not dropped. The oldest is sent again with backoff, the
 * later ones kept behind it in order, until the host takes it (then the rest follow) or
 * `DISPATCH_INPUT_HOLD_MS` has passed (then they are "not sent", saying what to do). Sending
 * again is safe: the host applies an id once, so one that did arrive is not typed twice.
 *
 * What waits (the hub away, the host away) is bounded at `MAX_WAITING_CHARS`, as the web's held
 * keys are: someone leaning on a key or pasting a file while the hub restarts must not grow the
 * client without end, nor have it all typed much later. Past the bound an input is dropped whole
 * (half a paste or escape sequence is worse than none), and so is everything typed after it
 * until nothing waits any more: what reaches the session is what was typed, cut short, never
 * with a hole in it. The drop is said once, with what to do.
 *
 * An interrupt (Ctrl-C) that waited past a few seconds is dropped the same way, with what was
 * typed after it: late, it would stop whatever runs by then (`staleInterrupt.ts`).
 */
import { randomBytes } from "node:crypto";
import { backoffDelay } from "../core/backoff.js";
import { DispatchError } from "../core/errors.js";
import { staleInterruptAt, staleInterruptNotice } from "../core/staleInterrupt.js";
import { inputPieces } from "./attached/inputPieces.js";
import type { ClientSocket } from "./ClientSocket.js";
import { LinkWatch } from "./LinkWatch.js";
import { HOLD_RETRY_MAX_MS, inputHoldMs, MAX_WAITING_CHARS } from "./outboxLimits.js";

interface Outgoing {
  session: string;
  data: string;
  seq: number;
  /** The connection it was last sent over, while its receipt is awaited there. */
  on: ClientSocket | undefined;
  /** When it was last sent (ms since the epoch). */
  sentAt: number;
  /** When it was typed (ms since the epoch): an interrupt that waited long is not sent. */
  typedAt: number;
}

/** Input held because the session's host is not linked to the hub. */
interface Hold {
  /** When the first refusal came (ms since the epoch). */
  since: number;
  attempt: number;
  timer: ReturnType<typeof setTimeout> | undefined;
  /** The hub's latest word on the host. */
  reason: Error;
}

export interface OutboxEvents {
  /** The hub answered an input with an error (the session ended, a role changed): not sent. */
  refused(err: Error): void;
  /** Input waits for the session's host to be linked again: said once per wait. */
  holding(message: string): void;
}

export class InputOutbox {
  /** This client's name for its inputs, the same across its connections (8-64 characters). */
  private readonly stream = `cli-${randomBytes(12).toString("base64url")}`;
  private nextSeq = 1;
  /** Sent or waiting, not yet acknowledged; oldest first. */
  private readonly outgoing: Outgoing[] = [];
  /** Closes a connection found dead while inputs await their receipts there. */
  private readonly link = new LinkWatch(
    (socket) => this.outgoing.find((entry) => entry.on === socket)?.sentAt,
  );
  private hold: Hold | undefined;
  /** The connection last given: a held input is sent again over it. */
  private socket: ClientSocket | undefined;
  private readonly holdMs = inputHoldMs();
  /** Set once waiting input went over `MAX_WAITING_CHARS`: all typed since is dropped. */
  private dropping = false;

  constructor(
    private readonly events: OutboxEvents,
    private readonly maxWaitingChars = MAX_WAITING_CHARS,
  ) {}

  /**
   * Sends `data` to `session` over `socket`, in pieces that each fit in one message (a paste may
   * be over its limit); when that connection is closed, or older inputs still wait for a
   * connection, it waits with them for `resend`, within `maxWaitingChars`.
   */
  send(socket: ClientSocket, session: string, data: string): void {
    this.socket = socket;
    // While a host is away even an input with none before it waits: the host may be back for
    // it before the held one's next try.
    const waiting =
      !socket.isOpen || this.hold !== undefined || this.outgoing.some((entry) => entry.on !== socket);
    if (waiting && (this.dropping || this.waitingChars() + data.length > this.maxWaitingChars)) {
      return this.drop();
    }
    for (const piece of inputPieces(data)) {
      const entry: Outgoing = {
        session,
        data: piece,
        seq: this.nextSeq++,
        on: undefined,
        sentAt: 0,
        typedAt: Date.now(),
      };
      this.outgoing.push(entry);
      if (!waiting) this.transmit(socket, entry);
    }
  }

  /** Connected again: sends, in order, every input no open connection carries. */
  resend(socket: ClientSocket): void {
    this.socket = socket;
    this.dropStaleInterrupt();
    if (this.hold) {
      // Only the oldest while its host is away: the later ones must not overtake it.
      const oldest = this.outgoing[0];
      if (oldest && !oldest.on?.isOpen) this.transmit(socket, oldest);
      return;
    }
    for (const entry of this.outgoing) if (!entry.on?.isOpen) this.transmit(socket, entry);
    // Nothing waits now: what is typed from here on goes as typed.
    if (socket.isOpen) this.dropping = false;
  }

  /**
   * Drops the first interrupt that waited past `INTERRUPT_FRESH_MS`, with everything typed after
   * it, and says so (`staleInterrupt.ts`): sent now, it could stop a later command.
   */
  private dropStaleInterrupt(): void {
    const now = Date.now();
    const waiting = this.outgoing.filter((entry) => !entry.on?.isOpen);
    const at = staleInterruptAt(waiting, now);
    const stale = waiting[at];
    if (!stale) return;
    for (const entry of waiting.slice(at)) this.remove(entry);
    // Keys typed while older ones still wait would follow the dropped ones: dropped too, unsaid.
    this.dropping = this.outgoing.some((entry) => !entry.on?.isOpen);
    this.events.refused(new Error(staleInterruptNotice(stale, now)));
  }

  /** Characters of the inputs no open connection carries (waiting for the hub or the host). */
  private waitingChars(): number {
    let chars = 0;
    for (const entry of this.outgoing) if (!entry.on?.isOpen) chars += entry.data.length;
    return chars;
  }

  /** Waiting input is over the bound: this input is dropped, and the first drop of a wait says so. */
  private drop(): void {
    if (this.dropping) return;
    this.dropping = true;
    const away = this.hold ? firstClause(this.hold.reason.message) : "the hub is not reachable right now";
    this.events.refused(
      new Error(
        `${away}: more than ${this.maxWaitingChars / (1024 * 1024)} Mi characters typed meanwhile, so these and the keys after them until it is back were dropped; type them again once it is back`,
      ),
    );
  }

  private transmit(socket: ClientSocket, entry: Outgoing): void {
    if (!socket.isOpen) return;
    entry.on = socket;
    entry.sentAt = Date.now();
    this.link.sent(socket);
    const { session, data, seq } = entry;
    socket.request({ type: "input", session, data, id: { stream: this.stream, seq } }).then(
      () => {
        this.remove(entry);
        this.release();
      },
      (err: unknown) => {
        // Sent again over a newer connection meanwhile: that one's answer counts.
        if (entry.on !== socket) return;
        // The connection ended before the receipt: kept for the next one.
        if (!socket.isOpen) {
          entry.on = undefined;
          return;
        }
        // The hub's own answer (the connection is open): the host is away; sent again, its id
        // keeps it from being typed twice.
        if (err instanceof DispatchError && err.code === "host_unavailable") return this.held(entry, err);
        this.remove(entry);
        this.events.refused(err instanceof Error ? err : new Error(String(err)));
        // Not the host being away (the session ended meanwhile): the rest get their own answers.
        this.release();
      },
    );
  }

  /** `entry` waits for its host; the first of a wait says so, and tries are scheduled. */
  private held(entry: Outgoing, reason: Error): void {
    entry.on = undefined;
    if (!this.hold) {
      this.hold = { since: Date.now(), attempt: 0, timer: undefined, reason };
      this.events.holding(`${firstClause(reason.message)}; holding your input until it is back`);
    }
    this.hold.reason = reason;
    if (!this.hold.timer) this.scheduleRetry(this.hold);
  }

  private scheduleRetry(hold: Hold): void {
    const delayMs = backoffDelay(hold.attempt++, Math.random, HOLD_RETRY_MAX_MS);
    // Unref'd: a client leaving does not wait for it.
    hold.timer = setTimeout(() => this.retry(hold), delayMs);
    hold.timer.unref();
  }

  /** Sends the oldest input again, or gives up on what is held once `holdMs` has passed. */
  private retry(hold: Hold): void {
    hold.timer = undefined;
    if (this.hold !== hold) return;
    if (Date.now() - hold.since >= this.holdMs) return this.giveUp(hold);
    this.dropStaleInterrupt();
    const oldest = this.outgoing[0];
    if (!oldest) {
      this.hold = undefined;
      return;
    }
    // In flight (sent again over a new connection): its answer schedules the next try. Over a
    // closed connection nothing goes: the client's reconnect brings the resend.
    if (oldest.on?.isOpen) return;
    if (this.socket?.isOpen) this.transmit(this.socket, oldest);
  }

  /** The host stayed away: what waited for it is not sent, and the user is told what to do. */
  private giveUp(hold: Hold): void {
    this.hold = undefined;
    this.dropping = false;
    const dropped = this.outgoing.filter((entry) => !entry.on?.isOpen);
    for (const entry of dropped) this.remove(entry);
    this.events.refused(
      new DispatchError(
        "host_unavailable",
        `${firstClause(hold.reason.message)}, still after ${Math.round(this.holdMs / 1000)} s: what you typed meanwhile was dropped; type it again once the host is back (\`dispatch hosts\` shows when it is)`,
      ),
    );
  }

  /** A held input got through (or was refused for another reason): the rest follow, in order. */
  private release(): void {
    const hold = this.hold;
    if (!hold) return;
    clearTimeout(hold.timer);
    this.hold = undefined;
    if (this.socket) this.resend(this.socket);
  }

  private remove(entry: Outgoing): void {
    const index = this.outgoing.indexOf(entry);
    if (index >= 0) this.outgoing.splice(index, 1);
  }
}

/** The hub's reason up to its advice ("host 'h2' is not connected right now; try again shortly"). */
function firstClause(message: string): string {
  return message.split(";")[0] ?? message;
}
