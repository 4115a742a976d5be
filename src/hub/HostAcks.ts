/**
 * Acknowledgements to hosts, gathered per link. An acknowledgement lets the host drop what it
 * holds for the hub and opens its send window; each one is also a message that wakes the host,
 * which on a virtual machine costs both sides a good part of a millisecond (an idle keystroke's
 * echo was three wakes of the host, one of them only for its ack). A small amount stored waits
 * a moment and goes with whatever follows; once a link has this much to acknowledge, it goes at
 * once, so a flood's window (64 KiB events, a 128 KiB window while someone types) never waits.
 */
import type { HostLink } from "./HostLink.js";

/** Stored bytes not yet acknowledged on a link beyond which its acks go at once. */
const ACK_AT_ONCE_BYTES = 32 * 1024;
/**
 * How long a small acknowledgement may wait for company: a person's next keystroke (typing is
 * 100-300 ms between keys) takes it along with its input (`EventIntake.acknowledge`). A host
 * holds at most this long what it already sent; its window is not in the way (small acks).
 */
export const ACK_DELAY_MS = 250;

interface Pending {
  /** The highest stored seq per session. */
  seqs: Map<string, number>;
  bytes: number;
}

export class HostAcks {
  private readonly pending = new Map<HostLink, Pending>();
  private timer: NodeJS.Timeout | undefined;

  /** `session` is stored through `seq`; `bytes` of it are new. */
  add(link: HostLink, session: string, seq: number, bytes: number): void {
    let entry = this.pending.get(link);
    if (!entry) {
      entry = { seqs: new Map(), bytes: 0 };
      this.pending.set(link, entry);
    }
    entry.seqs.set(session, seq);
    entry.bytes += bytes;
    if (entry.bytes >= ACK_AT_ONCE_BYTES) {
      this.send(link);
      return;
    }
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), ACK_DELAY_MS);
      this.timer.unref();
    }
  }

  /** Sends `link`'s acknowledgements now (before a message that must come after them). */
  send(link: HostLink): void {
    const entry = this.pending.get(link);
    if (!entry) return;
    this.pending.delete(link);
    // Nothing left to wait for: the next acknowledgement gets its whole delay to find company.
    if (this.pending.size === 0) this.stopTimer();
    // A closed link's host learns what the hub holds from the next hello's `sync` instead.
    if (!link.isOpen) return;
    for (const [session, seq] of entry.seqs) link.send({ type: "ack", session, seq });
  }

  /** Sends every link's acknowledgements now. */
  flush(): void {
    this.stopTimer();
    for (const link of [...this.pending.keys()]) this.send(link);
  }

  private stopTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }
}
