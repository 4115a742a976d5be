/**
 * The one hub connected to this host now: its peer, the outbox everything sent to it goes
 * through (`HubOutbox`), and whether it has said which seqs it holds (`sync`). Live events wait
 * for that: before it, the hub would store them ahead of the ones it is missing. A newer hub
 * connection replaces the previous one; messages from any other peer are not this hub's.
 */
import type { HubLinkState } from "./HostStop.js";
import { HubOutbox } from "./HubOutbox.js";

/** The connected hub, as the daemon sees it. `onWritten` runs once the data left for the OS. */
export interface HubPeer {
  send(wire: Uint8Array | string, onWritten: () => void): void;
  close(code: number, reason: string): void;
}

export class ConnectedHub {
  private peer: HubPeer | undefined;
  private box: HubOutbox | undefined;
  /** Events go to the peer only after it has said which seqs it holds (`sync`). */
  private synced = false;
  /** Set once a hub has connected (`platform/startingHub.ts`). */
  private everReached = false;

  /** Whether a hub has ever connected to this host. */
  get reached(): boolean {
    return this.everReached;
  }

  /** Whether `peer` is the hub connected now. */
  is(peer: HubPeer): boolean {
    return peer === this.peer;
  }

  /** Where everything for the connected hub goes; undefined with no hub. */
  get outbox(): HubOutbox | undefined {
    return this.box;
  }

  /** Where live events go: the outbox once the hub has synced, else undefined. */
  get live(): HubOutbox | undefined {
    return this.synced ? this.box : undefined;
  }

  get link(): HubLinkState {
    if (!this.box) return "none";
    return this.synced ? "synced" : "connected";
  }

  /** A hub connected: it replaces any previous one. Its outbox, for the hello. */
  connect(peer: HubPeer): HubOutbox {
    this.everReached = true;
    if (this.peer && this.peer !== peer) this.peer.close(4000, "replaced by a newer hub connection");
    this.box?.close();
    this.peer = peer;
    const outbox = new HubOutbox(peer);
    this.box = outbox;
    this.synced = false;
    return outbox;
  }

  /** The hub's connection closed; false when `peer` was not the connected hub (nothing changed). */
  disconnect(peer: HubPeer): boolean {
    if (this.peer !== peer) return false;
    this.peer = undefined;
    this.box?.close();
    this.box = undefined;
    this.synced = false;
    return true;
  }

  /**
   * The hub said which seqs it holds: `replay` sends what it lacks, and live events follow.
   * What it did not acknowledge is sent again: the link's window starts afresh.
   */
  sync(replay: (outbox: HubOutbox) => void): void {
    this.box?.resync();
    if (this.box) replay(this.box);
    this.synced = true;
  }

  close(code: number, reason: string): void {
    this.peer?.close(code, reason);
  }
}
