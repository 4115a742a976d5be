/**
 * Which numbered inputs (`input.id`) were applied, so that a client resending what it could
 * not see acknowledged (its link died; it reconnected) types nothing twice. A client sends its
 * inputs in order and resends them in order, so the highest seq applied per stream is all there
 * is to keep: an input at or below it was applied already.
 *
 * Kept in memory, in two places: the hub (a resend over a new link to the same hub process is
 * acknowledged without a trip to the host) and the host (a resend after the hub was restarted,
 * or to another node of a cluster, reaches the same host, which outlives hubs).
 */

/** An input's number (`input.id` in the client protocol). */
export interface InputId {
  /** The client's name for itself, the same across its connections. */
  stream: string;
  /** Rises by one per input of the stream. */
  seq: number;
}

/** Streams remembered; the least recently used is forgotten past this (one per open page). */
const MAX_STREAMS = 10_000;

export class InputStreams {
  /** principal and stream -> highest seq applied; Map order is use order (oldest first). */
  private readonly last = new Map<string, number>();

  constructor(private readonly maxStreams = MAX_STREAMS) {}

  /**
   * True when this input was applied already (a resend): acknowledge it, do not apply it.
   * `principal`: who sent it; a stream is its sender's, so nobody else's seq can skip its keys.
   */
  seen(principal: string, id: InputId): boolean {
    const last = this.last.get(key(principal, id));
    return last !== undefined && id.seq <= last;
  }

  /** Records an input as applied. */
  record(principal: string, id: InputId): void {
    const k = key(principal, id);
    this.last.delete(k);
    this.last.set(k, id.seq);
    if (this.last.size > this.maxStreams) {
      const oldest = this.last.keys().next().value;
      if (oldest !== undefined) this.last.delete(oldest);
    }
  }
}

function key(principal: string, id: InputId): string {
  return `${principal}\n${id.stream}`;
}
