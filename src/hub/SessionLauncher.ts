/**
 * Starting sessions: a new one (`create`: checked, recorded, spawned on its host) and an ended
 * one again (`revive`, as its kind says). Both wait for the host's answer to `spawn` and record
 * it; a create the host refused before anything ran leaves nothing behind (`refusedCreate.ts`).
 */
import { homedir } from "node:os";
import { posix } from "node:path";
import type { Logger } from "pino";
import { aboutField, DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { describeInvalidName, freeName, generateName, isValidName } from "../core/names.js";
import { getKind, prepareCreate } from "../kinds/registry.js";
import { newId } from "../platform/ids.js";
import type { SpawnSpec } from "../protocol/host.js";
import type { CreateSessionParams, SessionInfo, SessionRecord } from "../protocol/session.js";
import { readWholeLog, type Store } from "../store/Store.js";
import { kindOptionsOf } from "./adoption.js";
import type { EventIntake } from "./EventIntake.js";
import type { HostLinks } from "./HostMonitor.js";
import { refusedBeforeStart } from "./refusedCreate.js";
import type { SessionDirectory } from "./SessionDirectory.js";
import type { SessionRemoval } from "./SessionRemoval.js";
import type { ScreenTracker } from "./screen/ScreenTracker.js";

/** Default cap on sessions that are starting or running at once. */
export const DEFAULT_MAX_SESSIONS = 64;

export interface SessionLauncherOptions {
  store: Store;
  directory: SessionDirectory;
  hosts: HostLinks;
  intake: EventIntake;
  screens: ScreenTracker;
  removal: SessionRemoval;
  logger: Logger;
  maxSessions?: number | undefined;
  /**
   * A cluster node: it runs no local host (a new session must name its host), and another node
   * may have written a record since this one read it (re-read before changing it after a spawn).
   */
  clusterNode?: boolean | undefined;
  /**
   * Extra environment for a session being spawned, not stored with it (a session token for
   * `dispatch notify`, the hub's URL).
   */
  spawnEnv?: (record: SessionRecord) => Record<string, string>;
}

export class SessionLauncher {
  private readonly maxSessions: number;

  constructor(private readonly options: SessionLauncherOptions) {
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  async create(params: CreateSessionParams): Promise<SessionInfo> {
    const { directory, hosts, logger } = this.options;
    const kind = about("kind", () => getKind(params.kind));
    if (params.cwd !== undefined && !posix.isAbsolute(params.cwd)) {
      // Relative to what? The host daemon's directory means nothing to the client.
      throw new DispatchError(
        "bad_request",
        `cwd '${params.cwd}' is relative; send an absolute path (the CLI resolves it against your directory)`,
        { field: "cwd" },
      );
    }
    if (params.name !== undefined) {
      if (!isValidName(params.name))
        throw new DispatchError("bad_request", describeInvalidName(params.name), { field: "name" });
      directory.refuseTakenName(params.name, { field: "name" });
    }
    const live = directory.all().filter((r) => isLiveStatus(r.status)).length;
    if (live >= this.maxSessions) {
      throw new DispatchError(
        "limit_reached",
        `${live} sessions are running, the limit is ${this.maxSessions}; kill one or raise DISPATCH_MAX_SESSIONS`,
      );
    }
    if (params.host === undefined && this.options.clusterNode) {
      throw new DispatchError(
        "bad_request",
        "this hub is a cluster node and runs no local host: name one with --host (`dispatch hosts` lists them)",
      );
    }
    const hostId = params.host ?? "local";
    const link = about("host", () => hosts.require(hostId));
    const command = params.command ?? [];
    // What a kind refuses here is what the request's options ask of it.
    const prepared = about("options", () =>
      prepareCreate(kind, {
        command,
        options: params.options,
        ...(params.cwd !== undefined ? { cwd: params.cwd } : {}),
      }),
    );
    const record = directory.insert({
      id: newId(),
      name: params.name ?? defaultName(prepared.name, (name) => directory.nameTaken(name)),
      kind: kind.name,
      host: hostId,
      status: "starting",
      command,
      cwd: params.cwd ?? homedir(),
      cols: params.cols,
      rows: params.rows,
      env: params.env ?? {},
      meta: params.project ? { ...prepared.meta, declaration: params.project.declaration } : prepared.meta,
      project: params.project?.name ?? null,
    });
    const options = Object.keys(prepared.spawn).length > 0 ? { options: prepared.spawn } : {};
    const spec = this.spawnSpec(record, { afterSeq: 0, ...options });
    // Refused before anything ran: nothing was created, so nothing stays (its name is free).
    await this.spawn(record, link.request({ type: "spawn", spec }), (err) => refusedBeforeStart(kind, err));
    logger.info({ session: record.id, name: record.name, kind: kind.name }, "session created");
    return this.info(record.id);
  }

  /**
   * Starts an ended session again, as its kind says (a terminal shows its old screen above a
   * marker, a chat continues its conversation); its log continues from the last seq.
   */
  async revive(ref: string, options?: Record<string, unknown>): Promise<SessionInfo> {
    const { directory, store, intake, screens, hosts } = this.options;
    const record = directory.resolve(ref);
    if (isLiveStatus(record.status)) {
      throw new DispatchError(
        "conflict",
        `session '${record.name}' is still running; only ended sessions can be revived`,
      );
    }
    const kind = getKind(record.kind);
    if (!kind.revive) {
      throw new DispatchError("bad_request", `'${record.kind}' sessions cannot be revived; start a new one`);
    }
    const link = hosts.require(record.host);
    intake.flush();
    const resume = await kind.revive({
      record,
      currentScreen: () => screens.currentScreen(record.id, record),
      events: () => readWholeLog(this.options.store, record.id),
      ...(options ? { options } : {}),
    });
    const afterSeq = store.lastSeq(record.id);
    intake.rebase(record.id);
    directory.update(record.id, {
      status: "starting",
      exitCode: null,
      reason: null,
      pid: null,
      foreground: null,
    });
    await this.spawn(
      record,
      link.request({ type: "spawn", spec: this.spawnSpec(record, { ...resume, afterSeq }) }),
    );
    return this.info(record.id);
  }

  /**
   * Waits for the host's answer to `spawn`. If it refused, the record says `failed` (and why),
   * or is removed, with everything that refers to it, when `undone` says so (a create).
   */
  private async spawn(
    record: SessionRecord,
    request: Promise<unknown>,
    undone?: (err: unknown) => boolean,
  ): Promise<void> {
    const { directory } = this.options;
    try {
      const reply = (await request) as { pid?: number; capabilities?: string[] } | undefined;
      // The node holding the host may have stored the session's end already (a quick `true`).
      if (this.options.clusterNode) directory.reload(record.id);
      const current = directory.get(record.id);
      if (!current) return;
      directory.update(record.id, {
        ...(current.status === "starting" ? { status: "running" as const, pid: reply?.pid ?? null } : {}),
        meta: { ...current.meta, capabilities: reply?.capabilities ?? [] },
      });
    } catch (err) {
      if (undone?.(err)) this.options.removal.remove(record.id);
      else
        directory.update(record.id, {
          status: "failed",
          reason: err instanceof Error ? err.message : String(err),
        });
      throw err;
    }
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
      env: { ...record.env, ...this.options.spawnEnv?.(record) },
      cols: record.cols,
      rows: record.rows,
      name: record.name,
      createdAt: record.createdAt,
      ...(record.project && typeof record.meta.declaration === "string"
        ? { project: { name: record.project, declaration: record.meta.declaration } }
        : {}),
      ...kindOptions(record),
      ...extra,
    };
  }

  private info(id: string): SessionInfo {
    const { directory } = this.options;
    return directory.info(directory.resolve(id));
  }
}

/** The record's kind options for its host to keep (none for kinds that keep nothing in `meta`). */
function kindOptions(record: SessionRecord): Pick<SpawnSpec, "kindOptions"> {
  const options = kindOptionsOf(record.meta);
  return Object.keys(options).length > 0 ? { kindOptions: options } : {};
}

/** What `make` returns, or its error said about the request field `field`. */
function about<T>(field: string, make: () => T): T {
  try {
    return make();
  } catch (err) {
    throw aboutField(err, field);
  }
}

/** A session's name when its request gives none: the kind's proposal, kept free, else a random one. */
function defaultName(proposed: string | undefined, taken: (name: string) => boolean): string {
  return proposed !== undefined && isValidName(proposed) ? freeName(proposed, taken) : generateName(taken);
}
