/**
 * The per-host commands behind REST and the CLI: a host's sessions, its session stats, and
 * cleanup of its orphaned and ended sessions (running ones only with `force`).
 */
import type { Logger } from "pino";
import { parseDuration } from "../core/duration.js";
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import type { SessionList } from "../protocol/api.js";
import { OrphanReport } from "../protocol/host.js";
import type { CleanupResult, HostStats } from "../protocol/hosts.js";
import type { SessionStatus } from "../protocol/session.js";
import type { Store } from "../store/Store.js";
import type { HostLinks, HostMonitor } from "./HostMonitor.js";
import { sessionCounts } from "./hostSessions.js";
import type { SessionCommands } from "./SessionCommands.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import { withStoredBytes } from "./storedBytes.js";

export interface HostCommandsOptions {
  directory: SessionDirectory;
  sessions: SessionCommands;
  monitor: HostMonitor;
  /** How requests reach a host: the monitor's links, or on a cluster node also through the node it is linked to. */
  links?: HostLinks | undefined;
  store: Store;
  logger: Logger;
}

type CleanupParams = { orphaned: boolean; exited: boolean; olderThan?: string | undefined; force: boolean };

export class HostCommands {
  constructor(private readonly options: HostCommandsOptions) {}

  private get links(): HostLinks {
    return this.options.links ?? this.options.monitor;
  }

  /**
   * The host's sessions, oldest first; orphaned ones only when asked for. Each carries the
   * output bytes its log holds now, as `ls` shows them (retention may have dropped older ones),
   * unless the store cannot be read (`withStoredBytes`).
   */
  sessions(hostRef: string, includeOrphaned: boolean): SessionList {
    const id = this.options.monitor.resolveId(hostRef);
    const { directory } = this.options;
    const records = directory
      .all()
      .filter((r) => r.host === id && (includeOrphaned || r.status !== "orphaned"));
    return withStoredBytes(
      records.map((record) => directory.info(record)),
      (sessionId) => this.storedBytes(sessionId),
    );
  }

  /** Resident memory and per-session buffered bytes of a connected host. */
  async resources(hostId: string): Promise<{ rss: number; buffered: Record<string, number> } | undefined> {
    const link = this.links.link(hostId);
    if (!link) return undefined;
    return (await link.request({ type: "stats" })) as { rss: number; buffered: Record<string, number> };
  }

  /**
   * A kind's command that needs no session, run by the host's runtime for the kind (an
   * editor's `browse`); `host_unavailable` while the host is not connected.
   */
  async kindCommand(request: { host: string; kind: string; name: string; args: unknown }): Promise<unknown> {
    const id = this.options.monitor.resolveId(request.host);
    const link = this.links.require(id);
    return link.request({ type: "kind-command", kind: request.kind, name: request.name, args: request.args });
  }

  /**
   * What the host's runtimes left behind that no session holds (a kernel of a host daemon that
   * was killed outright); with `clean`, the host stops and removes it.
   */
  async orphans(hostRef: string, clean: boolean): Promise<OrphanReport> {
    const id = this.options.monitor.resolveId(hostRef);
    const link = this.links.link(id);
    if (!link)
      throw new DispatchError("host_unavailable", `host '${id}' is not connected; its orphans wait for it`);
    const report = OrphanReport.parse(await link.request({ type: "orphans", clean }));
    if (clean) {
      this.options.store.audit("client", "host-orphans-cleanup", {
        host: id,
        removed: report.orphans.map((orphan) => orphan.description),
      });
      this.options.logger.info({ host: id, removed: report.orphans.length }, "host orphans removed");
    }
    return report;
  }

  /** Output bytes the session's log holds now. */
  storedBytes(sessionId: string): number {
    return this.options.store.storedOutputBytes(sessionId);
  }

  /** Stored and (local) host-buffered bytes per session, for `dispatch status`. */
  async sessionBytes(): Promise<{ name: string; stored: number; buffered: number }[]> {
    const buffered = (await this.resources("local").catch(() => undefined))?.buffered ?? {};
    return this.options.directory.all().map((record) => ({
      name: record.name,
      stored: this.options.store.storedOutputBytes(record.id),
      buffered: buffered[record.id] ?? 0,
    }));
  }

  /** The host's session counts and stored bytes; the bytes left `unknown` as `sessions` leaves them. */
  stats(hostRef: string): HostStats {
    const id = this.options.monitor.resolveId(hostRef);
    const { directory } = this.options;
    const records = directory.all().filter((r) => r.host === id);
    let lastActivityAt: number | null = null;
    for (const record of records) lastActivityAt = Math.max(lastActivityAt ?? 0, record.lastActivityAt);
    const { sessions, unknown } = withStoredBytes(
      records.map((record) => directory.info(record)),
      (sessionId) => this.storedBytes(sessionId),
    );
    const stored = unknown
      ? { unknown }
      : { storedBytes: sessions.reduce((sum, s) => sum + (s.storedBytes ?? 0), 0) };
    return { host: id, ...sessionCounts(records, id), ...stored, lastActivityAt };
  }

  /**
   * Removes the host's sessions that match: orphaned (`orphaned`), ended (`exited`), or both
   * when neither is given; only those idle longer than `olderThan`. Running sessions match only
   * when neither status is given, and are kept unless `force` (then stopped and removed).
   */
  async cleanup(hostRef: string, request: CleanupParams, now = Date.now()): Promise<CleanupResult> {
    const { directory, sessions, monitor, store, logger } = this.options;
    const id = monitor.resolveId(hostRef);
    let olderThanMs = 0;
    if (request.olderThan !== undefined) {
      try {
        olderThanMs = parseDuration(request.olderThan);
      } catch (err) {
        throw new DispatchError("bad_request", (err as Error).message);
      }
    }
    const wanted = new Set<SessionStatus>();
    if (request.orphaned) wanted.add("orphaned");
    if (request.exited) for (const s of ["exited", "failed"] as const) wanted.add(s);
    if (wanted.size === 0) {
      for (const s of ["orphaned", "exited", "failed", "running", "starting"] as const) wanted.add(s);
    }
    const result: CleanupResult = { removed: [], kept: [] };
    for (const record of directory.all()) {
      if (record.host !== id || !wanted.has(record.status)) continue;
      if (now - record.lastActivityAt < olderThanMs) continue;
      const entry = { id: record.id, name: record.name, status: record.status };
      if (isLiveStatus(record.status)) {
        if (!request.force) {
          result.kept.push({ ...entry, why: "running; pass --force to stop and remove it" });
          continue;
        }
        await this.stop(record.id);
      }
      sessions.remove(record.id);
      result.removed.push(entry);
    }
    store.audit("client", "host-cleanup", {
      host: id,
      ...request,
      removed: result.removed.map((r) => r.name),
    });
    logger.info({ host: id, removed: result.removed.length, kept: result.kept.length }, "host cleanup");
    return result;
  }

  /** Stops a running session when its host can be reached; removal follows either way. */
  private async stop(id: string): Promise<void> {
    try {
      await this.options.sessions.kill(id, "SIGKILL");
    } catch (err) {
      // Host away or the process already gone: the record is removed all the same.
      this.options.logger.warn({ session: id, err }, "could not stop a session during cleanup");
    }
  }
}
