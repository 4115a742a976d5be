/**
 * The hub's view of every session: records loaded from the store at start, kept in memory,
 * written through on change. Finds sessions by name or id (with did-you-mean) and tells
 * listeners when a session appears, changes or goes away.
 */
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { unknownNameMessage } from "../core/names.js";
import { findKind } from "../kinds/registry.js";
import type { SessionInfo, SessionRecord } from "../protocol/session.js";
import type { Store } from "../store/Store.js";
import { isStorageError } from "../store/storageErrors.js";

/** What a new session must say about itself; everything else starts empty. */
export type NewSession = Pick<SessionRecord, "id" | "name" | "kind" | "host" | "status" | "cols" | "rows"> &
  Partial<SessionRecord>;

export interface DirectoryListener {
  changed(info: SessionInfo): void;
  removed(id: string): void;
}

export class SessionDirectory {
  private readonly byId = new Map<string, SessionRecord>();
  private readonly listeners = new Set<DirectoryListener>();
  /** Records changed in memory whose write failed (disk full): written again on `saveUnsaved`. */
  private readonly unsaved = new Set<string>();
  /** Told of each record this hub wrote (cluster nodes tell the others to reload it). */
  private readonly writeWatchers = new Set<(id: string) => void>();

  constructor(
    private readonly store: Store,
    /** Whether a host is connected right now (the host monitor knows). */
    private readonly reachable: (host: string) => boolean,
    /** A write-through failed for the storage's reasons (the change is kept in memory). */
    private readonly storageFailed: (err: unknown) => void = () => undefined,
  ) {
    for (const record of store.listSessions()) this.byId.set(record.id, record);
  }

  /** What clients see of a record. */
  info(record: SessionRecord): SessionInfo {
    return toInfo(record, this.reachable);
  }

  listen(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Calls `watcher` after each record write of this hub (insert, update, remove). */
  watchWrites(watcher: (id: string) => void): () => void {
    this.writeWatchers.add(watcher);
    return () => this.writeWatchers.delete(watcher);
  }

  /**
   * Re-reads a record another hub node wrote: replaced in memory (listeners hear of it), or
   * dropped when it is gone from the store. Returns the record before and after.
   */
  reload(id: string): { before: SessionRecord | undefined; after: SessionRecord | undefined } {
    const before = this.byId.get(id);
    const after = this.store.getSession(id);
    if (!after) {
      if (before) {
        this.byId.delete(id);
        for (const listener of this.listeners) listener.removed(id);
      }
      return { before: before ? { ...before } : undefined, after: undefined };
    }
    const copy = before ? { ...before } : undefined;
    if (before) Object.assign(before, after);
    else this.byId.set(id, after);
    this.emitChanged(this.byId.get(id) as SessionRecord);
    return { before: copy, after };
  }

  all(): SessionRecord[] {
    return [...this.byId.values()].sort((a, b) => a.createdAt - b.createdAt);
  }

  get(id: string): SessionRecord | undefined {
    return this.byId.get(id);
  }

  /** A session by name or id; throws not_found with a did-you-mean. */
  resolve(ref: string): SessionRecord {
    const byId = this.byId.get(ref);
    if (byId) return byId;
    for (const record of this.byId.values()) if (record.name === ref) return record;
    throw new DispatchError(
      "not_found",
      unknownNameMessage(
        "session",
        ref,
        [...this.byId.values()].map((r) => r.name),
      ),
    );
  }

  nameTaken(name: string): boolean {
    for (const record of this.byId.values()) if (record.name === name) return true;
    return false;
  }

  /**
   * Throws `conflict` if a session is named `name`. One that ended still holds its name (its
   * history is kept), so the error says how to start it again or free the name.
   */
  refuseTakenName(name: string, details?: Record<string, unknown>): void {
    const holder = [...this.byId.values()].find((record) => record.name === name);
    if (!holder) return;
    const ended = isLiveStatus(holder.status)
      ? ""
      : ` (it ended: \`dispatch revive ${name}\` starts it again, \`dispatch kill ${name}\` removes it with its history)`;
    throw new DispatchError(
      "conflict",
      `a session named '${name}' already exists${ended}; pick another name`,
      details,
    );
  }

  /** Adds a new session: the given fields over a record that has done nothing yet. */
  insert(fields: NewSession): SessionRecord {
    const now = Date.now();
    const record: SessionRecord = {
      exitCode: null,
      reason: null,
      command: [],
      cwd: "",
      pid: null,
      foreground: null,
      createdAt: now,
      lastActivityAt: now,
      lastSeq: 0,
      bytes: 0,
      preview: "",
      env: {},
      meta: {},
      ...fields,
    };
    try {
      this.store.insertSession(record);
    } catch (err) {
      if (!isStorageError(err)) throw err;
      this.storageFailed(err);
      throw new DispatchError(
        "storage_failing",
        "the hub cannot write its database right now (see `dispatch status`); try again once storage recovers",
        { cause: err },
      );
    }
    this.byId.set(record.id, record);
    this.emitChanged(record);
    this.wrote(record.id);
    return record;
  }

  /** Applies and persists a change, then tells listeners. */
  update(id: string, patch: Partial<Omit<SessionRecord, "id">>): SessionRecord {
    const record = this.byId.get(id);
    if (!record) throw new DispatchError("not_found", `no session ${id}`);
    try {
      this.store.updateSession(id, patch);
    } catch (err) {
      // Status, name and activity changes come from timers and committed events: refusing them
      // would leave memory and clients wrong. Keep them and write the record once storage heals.
      if (!isStorageError(err)) throw err;
      this.unsaved.add(id);
      this.storageFailed(err);
    }
    Object.assign(record, patch);
    this.emitChanged(record);
    this.wrote(id);
    return record;
  }

  /**
   * Applies a change held in memory only: the store already has it (the append transaction
   * updated seq, bytes and activity) or it is cheap to lose (preview). Listeners hear of it.
   */
  touch(id: string, patch: Partial<Omit<SessionRecord, "id">>, notify: boolean): void {
    const record = this.byId.get(id);
    if (!record) return;
    Object.assign(record, patch);
    if (notify) this.emitChanged(record);
  }

  /** Writes every record whose write-through failed; those that fail again stay unsaved. */
  saveUnsaved(): void {
    for (const id of [...this.unsaved]) {
      const record = this.byId.get(id);
      if (!record) {
        this.unsaved.delete(id);
        continue;
      }
      // Seq and byte totals are the append transaction's to keep, never written from memory.
      const { id: _id, lastSeq: _seq, bytes: _bytes, ...fields } = record;
      try {
        this.store.updateSession(id, fields);
        this.unsaved.delete(id);
      } catch (err) {
        if (!isStorageError(err)) throw err;
        this.storageFailed(err);
        return;
      }
    }
  }

  remove(id: string): void {
    if (!this.byId.has(id)) return;
    this.store.deleteSession(id);
    this.byId.delete(id);
    for (const listener of this.listeners) listener.removed(id);
    this.wrote(id);
  }

  private wrote(id: string): void {
    for (const watcher of this.writeWatchers) watcher(id);
  }

  private emitChanged(record: SessionRecord): void {
    const info = this.info(record);
    for (const listener of this.listeners) listener.changed(info);
  }
}

/** The public view of a record: what its kind shows of `meta`, and whether its host is connected. */
export function toInfo(record: SessionRecord, reachable: (host: string) => boolean): SessionInfo {
  const { env: _env, meta, ...info } = record;
  const shown = findKind(record.kind)?.describe?.(record) ?? {};
  const capabilities = Array.isArray(meta.capabilities)
    ? { capabilities: meta.capabilities as string[] }
    : {};
  const declaration = typeof meta.declaration === "string" ? { declaration: meta.declaration } : {};
  return {
    ...info,
    project: record.project ?? null,
    ...shown,
    ...capabilities,
    ...declaration,
    reachable: reachable(record.host),
  };
}
