/**
 * The named events between the hub's parts (as Zellij's thread bus names every hop): the
 * host monitor announces links, the intake announces what it stored, the commands announce
 * removals. Each part subscribes to what it needs instead of being handed callbacks, so every
 * hop can be found by grepping for its name.
 */
import { EventEmitter } from "node:events";
import type { SessionEvent } from "../protocol/events.js";
import type { HostInfo, HostSessionState } from "../protocol/host.js";
import type { PresenceEntry } from "../protocol/people.js";
import type { HostLink } from "./HostLink.js";
import type { StoredBatchEntry } from "./StoreWriter.js";

export interface HubEventMap {
  /** A host said hello on a link that passed the monitor's checks; sessions are its own. */
  "host-hello": [link: HostLink, host: HostInfo, sessions: HostSessionState[]];
  /** An event from a host for one of its own sessions, whose record exists. */
  "host-event": [link: HostLink, event: SessionEvent, frame: Uint8Array | undefined];
  /**
   * A host answered a request about `session`: `deliver` hands the answer to its asker, which
   * the intake does once the events the host sent before it are stored.
   */
  "host-reply": [session: string, deliver: () => void];
  /** One session's newly committed events, in seq order (never empty). */
  stored: [session: string, entries: StoredBatchEntry[]];
  /** A session ended (its `exit` is stored). */
  exited: [session: string];
  /** A session and its history were removed. */
  removed: [session: string];
  /** Another thread (the search index worker) copied the WAL into the database file. */
  "wal-checkpointed": [];
  /** Another thread (the search index worker) just started and checkpoints from now on. */
  "wal-checkpointer": [];
  /** That thread stopped: checkpoints are the hub's own again. */
  "wal-checkpointer-gone": [];
  /** Enough was appended for a checkpoint: the other thread is asked to make it. */
  "wal-checkpoint-due": [];
  /** Someone attached to or left a session: everyone attached now. */
  presence: [session: string, presence: PresenceEntry[]];
  /**
   * The store works again after failing (a write succeeded, or its connection to the server
   * opened again): what waits on it (a client's catch-up read) tries now, not at its next pause.
   */
  "storage-healed": [];
  /** Someone lost access (a user removed, a share link revoked): open connections check theirs. */
  "access-revoked": [];
}

type Listener<K extends keyof HubEventMap> = (...args: HubEventMap[K]) => void;

export class HubEvents {
  private readonly emitter = new EventEmitter();

  constructor() {
    // One listener per part and per waiting command; many kills at once may wait on `exited`.
    this.emitter.setMaxListeners(0);
  }

  on<K extends keyof HubEventMap>(name: K, listener: Listener<K>): () => void {
    this.emitter.on(name, listener as (...args: unknown[]) => void);
    return () => this.emitter.off(name, listener as (...args: unknown[]) => void);
  }

  emit<K extends keyof HubEventMap>(name: K, ...args: HubEventMap[K]): void {
    this.emitter.emit(name, ...args);
  }
}
