/**
 * Where hosts' events enter the hub: each is checked against the core's and its kind's
 * schemas, appended to the store in batches (`StoreWriter`), folded into its session's record,
 * announced as `stored` (fan-out, screens) and acknowledged to its host, which may then drop
 * it. It also settles a host's sessions when the host says hello: sessions it no longer runs
 * are closed, sessions the hub never knew are adopted, and the host is told what the hub holds.
 * A host's answer about a session waits here until the events sent before it are stored
 * (`HeldReplies`); after a failed commit, hosts are asked to resend (`ResendRequests`).
 */

import type { Logger } from "pino";
import { isLiveStatus } from "../core/liveness.js";
import { findKind } from "../kinds/registry.js";
import { isOutputEvent, type SessionEvent } from "../protocol/events.js";
import type { HostInfo, HostSessionState } from "../protocol/host.js";
import type { SessionRecord } from "../protocol/session.js";
import type { Store } from "../store/Store.js";
import { ActivityThrottle } from "./ActivityThrottle.js";
import { AnnouncedSeqs } from "./AnnouncedSeqs.js";
import { adoptedSession } from "./adoption.js";
import { EchoReceipts } from "./EchoReceipts.js";
import { eventProblem } from "./eventCheck.js";
import { HeldReplies } from "./HeldReplies.js";
import { HostAcks } from "./HostAcks.js";
import type { HostLink } from "./HostLink.js";
import type { HostLinks } from "./HostMonitor.js";
import type { HubEvents } from "./HubEvents.js";
import { LostSessions } from "./LostSessions.js";
import { ResendRequests } from "./ResendRequests.js";
import { recordChanges } from "./recordChanges.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import type { StorageHealth } from "./StorageHealth.js";
import { type StoredBatchEntry, StoreWriter, storedSize } from "./StoreWriter.js";

export interface EventIntakeOptions {
  store: Store;
  directory: SessionDirectory;
  hosts: HostLinks;
  bus: HubEvents;
  logger: Logger;
  health: StorageHealth;
  /** Whether a session's preview is read off its screen (`screenPreview`), not its output. */
  previewOnScreen?: (session: string) => boolean;
}

export class EventIntake {
  private readonly writer: StoreWriter;
  private readonly activity: ActivityThrottle;
  private readonly acks = new HostAcks();
  private readonly replies = new HeldReplies();
  private readonly receipts = new EchoReceipts();
  private readonly resends: ResendRequests;
  private readonly announced: AnnouncedSeqs;
  private readonly stopReconnected: (() => void) | undefined;
  private readonly lost: LostSessions;

  constructor(private readonly options: EventIntakeOptions) {
    const { store, directory, bus, logger } = options;
    this.writer = new StoreWriter({
      store,
      logger,
      bus: options.bus,
      onStored: (entries) => this.stored(entries),
      onFailed: (err, sessions) => {
        // What was pending is dropped until its host resends it: answers waiting on it go now.
        this.replies.release();
        this.receipts.failed(sessions);
        options.health.failed(err, "event append");
        this.resends.schedule();
      },
    });
    this.lost = new LostSessions({
      ...options,
      writer: this.writer,
      retryLater: () => this.resends.schedule(),
    });
    this.resends = new ResendRequests({
      ...options,
      writer: this.writer,
      acks: this.acks,
      beforeResend: () => this.lost.retry(),
    });
    this.announced = new AnnouncedSeqs(store);
    this.activity = new ActivityThrottle((id) => {
      const record = directory.get(id);
      if (record) directory.update(id, { preview: record.preview });
    });
    // Any failed write (a session record, an audit row, a timer's), not only an append's:
    // the probe below is what notices the store healed and writes what was kept meanwhile.
    options.health.listen((status) => {
      if (!status.ok) this.resends.schedule();
    });
    // The connection is open again (PostgreSQL): what was held goes now, not at the next pause.
    this.stopReconnected = store.onReconnected?.(() => this.resends.now());
    bus.on("host-hello", (link, host, sessions) => this.hello(link, host, sessions));
    bus.on("host-event", (_link, event, frame) => this.accept(event, frame));
    bus.on("host-reply", (session, deliver) => this.afterStored(session, deliver));
    bus.on("removed", (id) => {
      this.replies.release(id);
      this.writer.reset(id);
      this.announced.forget(id);
      this.activity.forget(id);
    });
  }

  /** Appends what is pending now (before reading the log back, and at shutdown). */
  flush(): void {
    this.writer.flush();
    this.acks.flush();
  }

  /** A person typed into the session: its echo is stored without waiting behind bulk output. */
  expectEcho(id: string): void {
    this.writer.expectEcho(id);
  }

  /** Resolves as the session's next batch (the echo) is handed on, or soon (`EchoReceipts`). */
  echoed(id: string): Promise<void> {
    return this.receipts.next(id);
  }

  /**
   * Sends what waits to be acknowledged to this host now: called before a message to it, so
   * both leave in one write and wake the host once (an idle keystroke's input carries the
   * previous key's ack).
   */
  acknowledge(link: HostLink): void {
    this.acks.send(link);
  }

  /**
   * The line read off a session's screen for its preview changed: announced as output's
   * changes are (at most once a second per session, the last one always).
   */
  screenPreview(id: string, line: string): void {
    const { directory } = this.options;
    const record = directory.get(id);
    if (!record || record.preview === line) return;
    directory.touch(id, { preview: line }, false);
    this.activity.activity(id, Date.now());
  }

  /** The session's log continues from the store (revive): forget what was cached of it. */
  rebase(id: string): void {
    this.replies.release(id);
    this.writer.reset(id);
    this.announced.forget(id);
  }

  /** Its host is gone and will not write the end of the log, so the hub writes the `exit`. */
  closeLost(record: SessionRecord, reason: string): void {
    this.lost.close(record, reason);
  }

  dispose(): void {
    this.stopReconnected?.();
    this.resends.dispose();
    this.activity.dispose();
    this.writer.flush();
    this.acks.flush();
    this.replies.release();
    this.receipts.releaseAll();
  }

  /**
   * Hands on a host's answer about `session` once every event of it received so far is stored:
   * the host sent those before the answer.
   */
  private afterStored(session: string, deliver: () => void): void {
    let received: number;
    let stored: number;
    try {
      received = this.writer.resumeAfter(session);
      stored = this.options.store.lastSeq(session);
    } catch {
      // Storage cannot say (it is failing): the answer is still right, so it goes now.
      deliver();
      return;
    }
    if (received > stored) {
      // Someone waits for this answer: the session's events are committed ahead of the bulk
      // (without the bulk's pauses for a person typing: nobody typed).
      this.writer.expectAnswer(session);
    }
    this.replies.hold(session, received, stored, deliver);
  }

  private accept(event: SessionEvent, frame: Uint8Array | undefined): void {
    const record = this.options.directory.get(event.session);
    if (!record) return;
    if (!isOutputEvent(event)) {
      const problem = eventProblem(findKind(record.kind), event);
      if (problem) {
        // Not stored: the seq it held becomes an explicit gap when the next event arrives.
        this.options.logger.error({ session: record.id, seq: event.seq, problem }, "event refused");
        return;
      }
    }
    this.writer.add(event, frame);
  }

  /** Runs after each committed batch: apply to records, announce, acknowledge to hosts. */
  private stored(entries: StoredBatchEntry[]): void {
    this.resends.committed();
    const bySession = new Map<string, StoredBatchEntry[]>();
    for (const entry of entries) {
      const list = bySession.get(entry.event.session);
      if (list) list.push(entry);
      else bySession.set(entry.event.session, [entry]);
    }
    const now = Date.now();
    for (const [id, batch] of bySession) {
      const record = this.options.directory.get(id);
      if (!record) continue;
      const list = this.announced.complete(id, batch);
      const ended = this.apply(record, list, now);
      this.options.bus.emit("stored", id, list);
      this.receipts.stored(id);
      if (ended) this.options.bus.emit("exited", id);
      const last = list[list.length - 1] as StoredBatchEntry;
      this.replies.stored(id, last.event.seq);
      const link = this.options.hosts.link(record.host);
      if (link) {
        let bytes = 0;
        for (const entry of list) bytes += storedSize(entry);
        this.acks.add(link, id, last.event.seq, bytes);
        if (last.event.type === "exit") {
          this.acks.send(link);
          link.send({ type: "forget", session: id });
        }
      }
    }
  }

  /** Folds the batch into the record; true when the session ended with it. */
  private apply(record: SessionRecord, entries: StoredBatchEntry[], now: number): boolean {
    const { directory } = this.options;
    const { counters, patch } = recordChanges(
      record,
      entries.map((entry) => entry.event),
      !this.options.previewOnScreen?.(record.id),
    );
    directory.touch(record.id, counters, false);
    if (Object.keys(patch).length > 0) {
      directory.update(record.id, { ...patch, preview: counters.preview });
      this.activity.announced(record.id, now);
    } else {
      this.activity.activity(record.id, now);
    }
    return patch.status === "exited";
  }

  private hello(link: HostLink, host: HostInfo, sessions: HostSessionState[]): void {
    const { directory, logger } = this.options;
    logger.info({ host: host.id, sessions: sessions.length }, "host connected");
    const known = new Map(sessions.map((s) => [s.id, s]));
    for (const record of directory.all()) {
      if (record.host === host.id && isLiveStatus(record.status) && !known.has(record.id))
        this.closeLost(record, "host lost");
    }
    for (const state of sessions) {
      const record = directory.get(state.id);
      if (!record) this.adopt(host.id, state);
      else {
        if (state.capabilities.join() !== capabilitiesOf(record).join())
          directory.update(state.id, { meta: { ...record.meta, capabilities: state.capabilities } });
        // The host missed a rename (it was away, or the rename raced its spawn): its name is
        // what a hub without this record would adopt the session under, so correct it now.
        if (state.name !== undefined && state.name !== record.name)
          link.send({ type: "rename", session: state.id, name: record.name });
      }
      // The log may have grown on another hub node since this one cached its seq: read it again.
      this.writer.reset(state.id);
      this.announced.forget(state.id);
    }
    // Read from the store now, or (storage failing) once it answers: the host waits for it.
    this.resends.syncHost(
      host.id,
      sessions.map((state) => state.id),
    );
  }

  /** A host runs a session the hub has no record of (its database was replaced): keep it. */
  private adopt(hostId: string, state: HostSessionState): void {
    const { directory, store, logger } = this.options;
    const { record, renamed } = adoptedSession(hostId, state, (name) => directory.nameTaken(name));
    directory.insert(record);
    const detail = { host: hostId, name: record.name, ...(renamed ? { why: renamed } : {}) };
    if (renamed)
      logger.warn({ session: state.id, ...detail }, `session adopted as '${record.name}': ${renamed}`);
    else logger.info({ session: state.id, ...detail }, "session adopted");
    try {
      store.audit("hub", "adopted", detail, { session: state.id });
    } catch (err) {
      // The audit row is history: with storage failing, the session is still adopted (logged above).
      logger.warn({ err, session: state.id }, "could not record the adoption in the audit log");
    }
  }
}

/** What a session's runtime can do, as its host last said (empty before it has). */
export function capabilitiesOf(record: SessionRecord): string[] {
  return Array.isArray(record.meta.capabilities) ? (record.meta.capabilities as string[]) : [];
}
