/**
 * The hub's view of every session: records loaded from the store at start, kept in memory,
 * written through on change. Finds sessions by name or id (with did-you-mean) and tells
 * listeners when a session appears, changes or goes away.
 */
import { DispatchError } from "../core/errors.js";
import { unknownNameMessage } from "../core/names.js";
import { AgentStatus, type SessionInfo } from "../protocol/session.js";
import type { EventStore, SessionRecord } from "../store/EventStore.js";

export interface DirectoryListener {
  changed(info: SessionInfo): void;
  removed(id: string): void;
}

export class SessionDirectory {
  private readonly byId = new Map<string, SessionRecord>();
  private readonly listeners = new Set<DirectoryListener>();

  constructor(private readonly store: EventStore) {
    for (const record of store.listSessions()) this.byId.set(record.id, record);
  }

  listen(listener: DirectoryListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
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

  insert(record: SessionRecord): void {
    this.store.insertSession(record);
    this.byId.set(record.id, record);
    this.emitChanged(record);
  }

  /** Applies and persists a change, then tells listeners. */
  update(id: string, patch: Partial<Omit<SessionRecord, "id">>): SessionRecord {
    const record = this.byId.get(id);
    if (!record) throw new DispatchError("not_found", `no session ${id}`);
    this.store.updateSession(id, patch);
    Object.assign(record, patch);
    this.emitChanged(record);
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

  remove(id: string): void {
    if (!this.byId.has(id)) return;
    this.store.deleteSession(id);
    this.byId.delete(id);
    for (const listener of this.listeners) listener.removed(id);
  }

  private emitChanged(record: SessionRecord): void {
    const info = toInfo(record);
    for (const listener of this.listeners) listener.changed(info);
  }
}

/**
 * Whether a host is connected right now. The hub's host monitor installs the real check; until
 * then (unit tests, start-up) every host counts as reachable.
 */
let hostReachable: (host: string) => boolean = () => true;

/** Installs the check `toInfo` uses for `reachable` (one hub per process, so one check). */
export function setHostReachability(check: (host: string) => boolean): void {
  hostReachable = check;
}

/** The public view of a record: everything but the environment and internal metadata. */
export function toInfo(record: SessionRecord): SessionInfo {
  const { env: _env, meta, ...info } = record;
  const reachable = hostReachable(record.host);
  const options = (meta.agent ?? meta.chat) as Record<string, unknown> | undefined;
  return { ...info, ...(options ? { options } : {}), ...agentStatus(record), reachable };
}

/** An agent's last reported or guessed state; once it has ended, done or failed by its exit. */
function agentStatus(record: SessionRecord): { agent?: AgentStatus } {
  const parsed = AgentStatus.safeParse(record.meta.agentState);
  if (record.kind === "agent" && (record.status === "exited" || record.status === "failed")) {
    if (parsed.success && (parsed.data.state === "done" || parsed.data.state === "failed"))
      return { agent: parsed.data };
    return {
      agent: {
        state: record.exitCode === 0 ? "done" : "failed",
        message: record.reason ?? (record.exitCode !== null ? `exit code ${record.exitCode}` : ""),
        source: "exit",
        at: record.lastActivityAt,
      },
    };
  }
  return parsed.success ? { agent: parsed.data } : {};
}
