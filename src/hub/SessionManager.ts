/**
 * What the hub does with sessions: create, input, resize, rename, kill, attach; and what it
 * does with the events hosts send: store them in batches, apply them to the session records,
 * hand them to every attached client, acknowledge them to the host.
 *
 * It talks to hosts only through `HostConnection`, never asking which kind of host it is.
 */
import { homedir } from "node:os";
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import { newId } from "../core/ids.js";
import { describeInvalidName, generateName, isValidName } from "../core/names.js";
import { conversationFromEvents } from "../kinds/chatConversation.js";
import { getKind, prepareKindOptions } from "../kinds/registry.js";
import type { SessionEvent } from "../protocol/events.js";
import type { HostInfo, HostSessionState, SpawnSpec } from "../protocol/host.js";
import type { CreateSessionParams, SessionInfo } from "../protocol/session.js";
import type { EventStore, SessionRecord } from "../store/EventStore.js";
import type { HostConnection, HostConnectionEvents } from "./HostConnection.js";
import { HostRegistry } from "./HostRegistry.js";
import { recordChanges } from "./recordChanges.js";
import { type DirectoryListener, SessionDirectory, toInfo } from "./SessionDirectory.js";
import { SESSION_TOKEN_KIND } from "./SessionTokens.js";
import { type StoredBatchEntry, StoreWriter } from "./StoreWriter.js";
import { type SubscriberChannel, Subscription } from "./Subscription.js";
import { ScreenTracker } from "./screen/ScreenTracker.js";

/** Default cap on sessions that are starting or running at once. */
export const DEFAULT_MAX_SESSIONS = 64;
/** Session list updates caused by output alone are sent at most this often per session. */
const ACTIVITY_NOTIFY_INTERVAL_MS = 1000;
/** How long `kill` waits for the process to end before answering. */
const KILL_WAIT_MS = 3000;

export interface SessionManagerOptions {
  store: EventStore;
  logger: Logger;
  maxSessions?: number;
  /** Stored output kept per session before older output is compacted behind a snapshot. */
  retentionBytes?: number;
  /** Output between two stored snapshots of a terminal. */
  snapshotEveryBytes?: number;
  /** How far (output bytes) a client may fall behind before it skips to the latest snapshot. */
  clientLagLimitBytes?: number;
}

/**
 * How an attach starts: `auto` sends the latest snapshot when it is newer than the client's
 * seq (a fresh or long-gone client) and exact events otherwise; `snapshot` always starts from
 * the current screen; `events` replays exactly (as far as history is still stored).
 */
export type AttachMode = "auto" | "snapshot" | "events";

type Live = "starting" | "running";
const isLive = (status: string): status is Live => status === "starting" || status === "running";

/** The host runtime of a kind, or undefined for a kind this build does not know. */
function runtimeOf(kind: string): string | undefined {
  try {
    return getKind(kind).runtime;
  } catch {
    return undefined;
  }
}

export class SessionManager implements HostConnectionEvents {
  readonly directory: SessionDirectory;
  private readonly store: EventStore;
  private readonly logger: Logger;
  private readonly writer: StoreWriter;
  readonly hosts = new HostRegistry();
  /**
   * Extra environment for a session being spawned, not stored with it (a session token for
   * `dispatch notify`, the hub's URL). Set by the server, which knows both.
   */
  spawnEnv: ((record: SessionRecord) => Record<string, string>) | undefined;
  private readonly subscriptions = new Map<string, Set<Subscription>>();
  private readonly lastNotified = new Map<string, number>();
  private readonly activityTimers = new Map<string, NodeJS.Timeout>();
  private readonly exitWaiters = new Map<string, Set<() => void>>();
  private readonly maxSessions: number;
  private readonly screens: ScreenTracker;

  constructor(private readonly options: SessionManagerOptions) {
    this.store = options.store;
    this.logger = options.logger;
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
    this.directory = new SessionDirectory(options.store);
    this.writer = new StoreWriter(options.store, (entries) => this.stored(entries), options.logger);
    this.screens = new ScreenTracker({
      store: options.store,
      logger: options.logger,
      retentionBytes: options.retentionBytes,
      snapshotEveryBytes: options.snapshotEveryBytes,
    });
  }

  // ---- queries -------------------------------------------------------------------------

  list(): SessionInfo[] {
    return this.directory.all().map(toInfo);
  }

  get(ref: string): SessionInfo {
    return toInfo(this.directory.resolve(ref));
  }

  listen(listener: DirectoryListener): () => void {
    return this.directory.listen(listener);
  }

  readEvents(ref: string, afterSeq: number, limit: number): SessionEvent[] {
    return this.store.readEvents(this.directory.resolve(ref).id, afterSeq, limit);
  }

  /** Seq of the oldest stored event: history before it was compacted behind a snapshot. */
  firstStoredSeq(id: string): number {
    // Nothing stored (all compacted, or nothing yet): the next event will be the first.
    return this.store.firstSeq(id) || this.store.lastSeq(id) + 1;
  }

  hostInfo(id: string): HostInfo | undefined {
    return this.hosts.info(id);
  }

  /** Resident memory and per-session buffered bytes of a connected host. */
  async hostStats(id: string): Promise<{ rss: number; buffered: Record<string, number> } | undefined> {
    const connection = this.hosts.get(id);
    if (!connection) return undefined;
    return (await connection.request({ type: "stats" })) as { rss: number; buffered: Record<string, number> };
  }

  // ---- commands ------------------------------------------------------------------------

  async create(params: CreateSessionParams): Promise<SessionInfo> {
    const kind = getKind(params.kind);
    if (params.name !== undefined) {
      if (!isValidName(params.name)) throw new DispatchError("bad_request", describeInvalidName(params.name));
      if (this.directory.nameTaken(params.name)) {
        throw new DispatchError(
          "conflict",
          `a session named '${params.name}' already exists; pick another name`,
        );
      }
    }
    const live = this.directory.all().filter((r) => isLive(r.status)).length;
    if (live >= this.maxSessions) {
      throw new DispatchError(
        "limit_reached",
        `${live} sessions are running, the limit is ${this.maxSessions}; kill one or raise DISPATCH_MAX_SESSIONS`,
      );
    }
    const hostId = params.host ?? "local";
    const connection = this.requireHost(hostId);
    const prepared = prepareKindOptions(kind, params.options);
    const now = Date.now();
    const record: SessionRecord = {
      id: newId(),
      name: params.name ?? generateName((name) => this.directory.nameTaken(name)),
      kind: kind.name,
      host: hostId,
      status: "starting",
      exitCode: null,
      reason: null,
      command: params.command ?? [],
      cwd: params.cwd ?? homedir(),
      cols: params.cols,
      rows: params.rows,
      pid: null,
      foreground: null,
      createdAt: now,
      lastActivityAt: now,
      lastSeq: 0,
      bytes: 0,
      preview: "",
      env: params.env ?? {},
      meta: prepared.meta,
    };
    this.directory.insert(record);
    try {
      const reply = (await connection.request({
        type: "spawn",
        spec: this.spawnSpec(record, {
          afterSeq: 0,
          ...(Object.keys(prepared.spawn).length > 0 ? { options: prepared.spawn } : {}),
        }),
      })) as { pid?: number } | undefined;
      const current = this.directory.get(record.id);
      if (current?.status === "starting") {
        this.directory.update(record.id, { status: "running", pid: reply?.pid ?? null });
      }
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      this.directory.update(record.id, { status: "failed", reason });
      throw err;
    }
    this.logger.info({ session: record.id, name: record.name }, "session created");
    return toInfo(this.directory.resolve(record.id));
  }

  input(ref: string, data: string): void {
    const record = this.requireRunning(ref, "input was not delivered");
    this.requireHost(record.host).send({ type: "input", session: record.id, data });
  }

  resize(ref: string, cols: number, rows: number): void {
    const record = this.requireRunning(ref, "it cannot be resized");
    this.requireHost(record.host).send({ type: "resize", session: record.id, cols, rows });
  }

  rename(ref: string, name: string): SessionInfo {
    const record = this.directory.resolve(ref);
    if (!isValidName(name)) throw new DispatchError("bad_request", describeInvalidName(name));
    if (record.name === name) return toInfo(record);
    if (this.directory.nameTaken(name)) {
      throw new DispatchError("conflict", `a session named '${name}' already exists; pick another name`);
    }
    this.store.audit("client", "rename", { session: record.id, from: record.name, to: name });
    return toInfo(this.directory.update(record.id, { name }));
  }

  /**
   * Stops a running session (SIGHUP unless told otherwise) and waits briefly for its exit;
   * a session that has already ended is removed, with its history.
   */
  async kill(ref: string, signal = "SIGHUP"): Promise<SessionInfo> {
    const record = this.directory.resolve(ref);
    if (!isLive(record.status)) {
      const info = toInfo(record);
      this.remove(record.id);
      return info;
    }
    const exited = this.waitForExit(record.id, KILL_WAIT_MS);
    await this.requireHost(record.host).request({ type: "signal", session: record.id, signal });
    await exited;
    return toInfo(this.directory.resolve(record.id));
  }

  /**
   * Attaches a client: it gets every stored event after `afterSeq` (or the latest snapshot and
   * the events after it, see `AttachMode`), then live events, with no gap and no duplicate
   * (see `Subscription`). Call `start()` on the result once the client has been told.
   */
  attach(
    ref: string,
    afterSeq: number,
    channel: SubscriberChannel,
    mode: AttachMode = "auto",
  ): { info: SessionInfo; subscription: Subscription; start: () => void } {
    const record = this.directory.resolve(ref);
    const cursor = Math.min(afterSeq, this.store.lastSeq(record.id));
    const subscription = new Subscription({
      session: record.id,
      cursor,
      channel,
      store: this.store,
      lagLimitBytes: this.options.clientLagLimitBytes,
      ...(runtimeOf(record.kind) === "pty" ? { freshSnapshot: () => this.screens.snapshot(record.id) } : {}),
    });
    let set = this.subscriptions.get(record.id);
    if (!set) {
      set = new Set();
      this.subscriptions.set(record.id, set);
    }
    set.add(subscription);
    const snapshot = mode === "events" ? undefined : this.store.latestSnapshot(record.id);
    const useSnapshot = snapshot !== undefined && snapshot.seq > cursor;
    return {
      info: toInfo(record),
      subscription,
      start: () => subscription.start(useSnapshot ? snapshot : undefined),
    };
  }

  /**
   * Starts a new process for an ended terminal session: same command, cwd and size, its log
   * continuing from the last seq, with the old screen shown above a "history restored" line.
   * An ended chat continues its conversation (the host was lost, or it was ended).
   */
  async revive(ref: string): Promise<SessionInfo> {
    const record = this.directory.resolve(ref);
    if (isLive(record.status)) {
      throw new DispatchError(
        "conflict",
        `session '${record.name}' is still running; only ended sessions can be revived`,
      );
    }
    const runtime = getKind(record.kind).runtime;
    if (runtime !== "pty" && runtime !== "chat") {
      throw new DispatchError(
        "bad_request",
        `session '${record.name}' is a ${record.kind} session; only terminals and chats can be revived`,
      );
    }
    const connection = this.requireHost(record.host);
    this.writer.flush();
    // A terminal gets its old screen back; a chat its conversation, rebuilt from its events.
    const resume =
      runtime === "chat"
        ? {
            options: {
              ...(record.meta.chat as Record<string, unknown> | undefined),
              history: this.storedConversation(record.id),
            },
          }
        : {
            preface: `${await this.screens.currentScreen(record.id, record)}\x1b[0m\r\n\x1b[7m --- history restored --- \x1b[0m\r\n`,
          };
    const afterSeq = this.store.lastSeq(record.id);
    this.writer.reset(record.id);
    this.directory.update(record.id, {
      status: "starting",
      exitCode: null,
      reason: null,
      pid: null,
      foreground: null,
    });
    try {
      await connection.request({ type: "spawn", spec: this.spawnSpec(record, { ...resume, afterSeq }) });
    } catch (err) {
      this.directory.update(record.id, {
        status: "failed",
        reason: err instanceof Error ? err.message : String(err),
      });
      throw err;
    }
    this.store.audit("client", "revive", { session: record.id });
    return toInfo(this.directory.resolve(record.id));
  }

  /** A chat's conversation as stored in its `chat` events (see `conversationFromEvents`). */
  private storedConversation(id: string): { role: "user" | "assistant"; text: string }[] {
    const events: SessionEvent[] = [];
    for (let after = 0; ; ) {
      const page = this.store.readEvents(id, after, 1000);
      const last = page[page.length - 1];
      if (!last) break;
      for (const event of page) if (event.type === "chat") events.push(event);
      after = last.seq;
    }
    return conversationFromEvents(events).map(({ role, text }) => ({ role, text }));
  }

  /**
   * Removes ended sessions (exited, failed; orphaned too) whose last activity is older than
   * `olderThanMs`, with their history. Returns the names removed.
   */
  gc(olderThanMs = 0, now = Date.now()): string[] {
    const removed: string[] = [];
    for (const record of this.directory.all()) {
      if (isLive(record.status) || now - record.lastActivityAt < olderThanMs) continue;
      this.remove(record.id);
      removed.push(record.name);
    }
    if (removed.length > 0) this.store.audit("hub", "gc", { removed });
    return removed;
  }

  /** Stored and host-buffered bytes per session, for `dispatch status`. */
  async sessionBytes(): Promise<{ name: string; stored: number; buffered: number }[]> {
    const buffered = (await this.hostStats("local").catch(() => undefined))?.buffered ?? {};
    return this.directory.all().map((record) => ({
      name: record.name,
      stored: this.store.storedOutputBytes(record.id),
      buffered: buffered[record.id] ?? 0,
    }));
  }

  detach(subscription: Subscription): void {
    subscription.close();
    this.subscriptions.get(subscription.session)?.delete(subscription);
  }

  /** Removes an ended session and its history. */
  remove(id: string): void {
    for (const subscription of this.subscriptions.get(id) ?? []) subscription.close();
    this.subscriptions.delete(id);
    this.writer.reset(id);
    this.screens.forget(id);
    clearTimeout(this.activityTimers.get(id));
    this.activityTimers.delete(id);
    this.directory.remove(id);
    this.store.revokeTokens(SESSION_TOKEN_KIND, id);
  }

  /** Closes every host link; the hosts and their sessions keep running (hub shutdown). */
  closeHosts(): void {
    this.hosts.closeAll();
  }

  /** Flushes pending writes and stops the screen worker (shutdown). */
  async close(): Promise<void> {
    for (const timer of this.activityTimers.values()) clearTimeout(timer);
    this.writer.flush();
    await this.screens.dispose();
  }

  // ---- host events ---------------------------------------------------------------------

  onHello(connection: HostConnection, host: HostInfo, sessions: HostSessionState[]): void {
    this.hosts.add(host.id, connection);
    this.logger.info({ host: host.id, sessions: sessions.length }, "host connected");
    const known = new Set(sessions.map((s) => s.id));
    for (const record of this.directory.all()) {
      if (record.host === host.id && isLive(record.status) && !known.has(record.id))
        this.markHostLost(record);
    }
    const sync: Record<string, number> = {};
    for (const state of sessions) {
      if (!this.directory.get(state.id)) this.adopt(host.id, state);
      sync[state.id] = this.store.lastSeq(state.id);
    }
    connection.send({ type: "sync", sessions: sync });
  }

  onEvent(connection: HostConnection, event: SessionEvent, frame?: Uint8Array): void {
    const record = this.directory.get(event.session);
    if (!record || record.host !== connection.host?.id) {
      // Isolation: a host may only write to its own sessions.
      this.logger.warn(
        { host: connection.host?.id, session: event.session },
        "host sent an event for a session it does not own",
      );
      return;
    }
    this.writer.add(event, frame);
  }

  onClose(connection: HostConnection, reason: string): void {
    if (this.hosts.remove(connection))
      this.logger.warn({ host: connection.host?.id, reason }, "host disconnected");
  }

  // ---- internals -----------------------------------------------------------------------

  /** Runs after each committed batch: apply to records, fan out, acknowledge to hosts. */
  private stored(entries: StoredBatchEntry[]): void {
    const bySession = new Map<string, StoredBatchEntry[]>();
    for (const entry of entries) {
      const list = bySession.get(entry.event.session);
      if (list) list.push(entry);
      else bySession.set(entry.event.session, [entry]);
    }
    const now = Date.now();
    for (const [id, list] of bySession) {
      this.apply(id, list, now);
      for (const subscription of this.subscriptions.get(id) ?? []) subscription.offer(list);
      const record = this.directory.get(id);
      if (record && runtimeOf(record.kind) === "pty") this.screens.track(id, record, list);
      const connection = record ? this.hosts.get(record.host) : undefined;
      const last = list[list.length - 1] as StoredBatchEntry;
      if (connection) {
        connection.send({ type: "ack", session: id, seq: last.event.seq });
        if (last.event.type === "exit") connection.send({ type: "forget", session: id });
      }
    }
  }

  private apply(id: string, entries: StoredBatchEntry[], now: number): void {
    const record = this.directory.get(id);
    if (!record) return;
    const { counters, patch } = recordChanges(
      record,
      entries.map((entry) => entry.event),
    );
    const { preview } = counters;
    this.directory.touch(id, counters, false);
    if (Object.keys(patch).length > 0) {
      this.directory.update(id, { ...patch, preview });
      this.lastNotified.set(id, now);
    } else {
      this.notifyActivity(id, now);
    }
    if (patch.status === "exited") {
      for (const wake of this.exitWaiters.get(id) ?? []) wake();
      this.exitWaiters.delete(id);
    }
  }

  /**
   * Output-only changes (preview, bytes, activity) reach clients at most once per interval per
   * session, and always on the trailing edge: the last output before a pause is announced.
   */
  private notifyActivity(id: string, now: number): void {
    if (this.activityTimers.has(id)) return;
    const wait = (this.lastNotified.get(id) ?? 0) + ACTIVITY_NOTIFY_INTERVAL_MS - now;
    const announce = () => {
      this.activityTimers.delete(id);
      const record = this.directory.get(id);
      if (!record) return;
      this.lastNotified.set(id, Date.now());
      this.directory.update(id, { preview: record.preview });
    };
    if (wait <= 0) {
      announce();
      return;
    }
    const timer = setTimeout(announce, wait);
    timer.unref();
    this.activityTimers.set(id, timer);
  }

  private waitForExit(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, timeoutMs);
      let set = this.exitWaiters.get(id);
      if (!set) {
        set = new Set();
        this.exitWaiters.set(id, set);
      }
      set.add(done);
      function done() {
        clearTimeout(timer);
        resolve();
      }
    });
  }

  /** The host came back without this session: its process is gone. */
  private markHostLost(record: SessionRecord): void {
    this.logger.warn({ session: record.id, host: record.host }, "session lost with its host");
    this.writer.flush();
    // The host that assigned seqs is gone, so the hub may write the closing event itself.
    this.writer.add({
      session: record.id,
      seq: this.store.lastSeq(record.id) + 1,
      ts: Date.now(),
      type: "exit",
      data: { code: null, signal: null, reason: "host lost" },
    });
    this.writer.flush();
    this.directory.update(record.id, {
      status: "exited",
      exitCode: null,
      reason: "host lost",
      foreground: null,
    });
  }

  /** A host runs a session the hub has no record of (its database was replaced): keep it. */
  private adopt(hostId: string, state: HostSessionState): void {
    const now = Date.now();
    this.directory.insert({
      id: state.id,
      name: generateName((name) => this.directory.nameTaken(name)),
      kind: state.kind,
      host: hostId,
      status: state.running ? "running" : "exited",
      exitCode: state.exitCode,
      reason: null,
      command: [],
      cwd: "",
      cols: state.cols,
      rows: state.rows,
      pid: state.pid,
      foreground: state.foreground,
      createdAt: now,
      lastActivityAt: now,
      lastSeq: 0,
      bytes: 0,
      preview: "",
      env: {},
      meta: { adopted: true },
    });
  }

  /** What a host needs to start (or restart) a session's process. */
  private spawnSpec(
    record: SessionRecord,
    extra: Pick<SpawnSpec, "afterSeq"> & Partial<SpawnSpec>,
  ): SpawnSpec {
    return {
      id: record.id,
      kind: record.kind,
      command: record.command,
      cwd: record.cwd,
      env: { ...record.env, ...this.spawnEnv?.(record) },
      cols: record.cols,
      rows: record.rows,
      ...extra,
    };
  }

  private requireHost(id: string): HostConnection {
    return this.hosts.require(id);
  }

  private requireRunning(ref: string, consequence: string): SessionRecord {
    const record = this.directory.resolve(ref);
    if (!isLive(record.status)) {
      const how =
        record.exitCode !== null
          ? ` with code ${record.exitCode}`
          : record.reason
            ? ` (${record.reason})`
            : "";
      throw new DispatchError(
        "session_exited",
        `session '${record.name}' has ${record.status}${how}; ${consequence}`,
      );
    }
    return record;
  }
}
