/**
 * What clients can do with sessions: create, input, resize, rename, kill, revive, a kind's own
 * commands, gc and remove; and read them back. Every change of a running session goes to its
 * host as a message; the record follows when the resulting events are stored (`EventIntake`).
 * Kind-specific behaviour comes from the session's kind (`kinds/`), never from its name.
 */
import { homedir } from "node:os";
import { posix } from "node:path";
import type { Logger } from "pino";
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { describeInvalidName, generateName, isValidName } from "../core/names.js";
import { commandOf, getKind, prepareCreate } from "../kinds/registry.js";
import { newId } from "../platform/ids.js";
import type { SessionEvent } from "../protocol/events.js";
import type { SpawnSpec } from "../protocol/host.js";
import { parseOrBadRequest } from "../protocol/parse.js";
import type { CreateSessionParams, SessionInfo, SessionRecord } from "../protocol/session.js";
import { readWholeLog, type Store } from "../store/Store.js";
import { capabilitiesOf, type EventIntake } from "./EventIntake.js";
import { endedError } from "./endedSession.js";
import type { HostLinks } from "./HostMonitor.js";
import type { HubEvents } from "./HubEvents.js";
import { answerUnlessEnded } from "./longCommands.js";
import { refusedBeforeStart } from "./refusedCreate.js";
import type { DirectoryListener, SessionDirectory } from "./SessionDirectory.js";
import type { ScreenTracker } from "./screen/ScreenTracker.js";

/** Default cap on sessions that are starting or running at once. */
export const DEFAULT_MAX_SESSIONS = 64;
/** How long `kill` waits for the process to end before answering. */
const KILL_WAIT_MS = 3000;

export interface SessionCommandsOptions {
  store: Store;
  directory: SessionDirectory;
  hosts: HostLinks;
  intake: EventIntake;
  screens: ScreenTracker;
  bus: HubEvents;
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

export class SessionCommands {
  private readonly maxSessions: number;

  constructor(private readonly options: SessionCommandsOptions) {
    this.maxSessions = options.maxSessions ?? DEFAULT_MAX_SESSIONS;
  }

  // ---- queries -------------------------------------------------------------------------

  list(): SessionInfo[] {
    const { directory } = this.options;
    return directory.all().map((record) => directory.info(record));
  }

  get(ref: string): SessionInfo {
    const { directory } = this.options;
    return directory.info(directory.resolve(ref));
  }

  listen(listener: DirectoryListener): () => void {
    return this.options.directory.listen(listener);
  }

  readEvents(ref: string, afterSeq: number, limit: number): SessionEvent[] {
    return this.options.store.readEvents(this.options.directory.resolve(ref).id, afterSeq, limit);
  }

  /** Seq of the oldest stored event: history before it was compacted behind a snapshot. */
  firstStoredSeq(id: string): number {
    // Nothing stored (all compacted, or nothing yet): the next event will be the first.
    return this.options.store.firstSeq(id) || this.options.store.lastSeq(id) + 1;
  }

  // ---- commands ------------------------------------------------------------------------

  async create(params: CreateSessionParams): Promise<SessionInfo> {
    const { directory, hosts, logger } = this.options;
    const kind = getKind(params.kind);
    if (params.cwd !== undefined && !posix.isAbsolute(params.cwd)) {
      // Relative to what? The host daemon's directory means nothing to the client.
      throw new DispatchError(
        "bad_request",
        `cwd '${params.cwd}' is relative; send an absolute path (the CLI resolves it against your directory)`,
      );
    }
    if (params.name !== undefined) {
      if (!isValidName(params.name)) throw new DispatchError("bad_request", describeInvalidName(params.name));
      if (directory.nameTaken(params.name)) {
        throw new DispatchError(
          "conflict",
          `a session named '${params.name}' already exists; pick another name`,
        );
      }
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
    const link = hosts.require(hostId);
    const command = params.command ?? [];
    const prepared = prepareCreate(kind, { command, options: params.options });
    const record = directory.insert({
      id: newId(),
      name: params.name ?? generateName((name) => directory.nameTaken(name)),
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
    return this.get(record.id);
  }

  input(ref: string, data: string): void {
    const record = this.requireLive(ref, "input was not delivered");
    const link = this.options.hosts.require(record.host);
    link.send({ type: "input", session: record.id, data });
    // In the same write, after the input: the host writes the keystroke to its program before
    // it reads the acknowledgements.
    this.options.intake.acknowledge(link);
    this.options.intake.expectEcho(record.id);
  }

  resize(ref: string, cols: number, rows: number): void {
    const record = this.requireLive(ref, "it cannot be resized");
    if (!this.can(record, "resize")) {
      throw new DispatchError("bad_request", `'${record.kind}' sessions have no size; nothing was resized`);
    }
    this.options.hosts.require(record.host).send({ type: "resize", session: record.id, cols, rows });
  }

  /** Whether the session's runtime can do this (unknown until its host said: assume it can). */
  can(record: SessionRecord | SessionInfo, capability: string): boolean {
    const known = "meta" in record ? capabilitiesOf(record) : (record.capabilities ?? []);
    return known.length === 0 || known.includes(capability);
  }

  rename(ref: string, name: string): SessionInfo {
    const { directory } = this.options;
    const record = directory.resolve(ref);
    if (!isValidName(name)) throw new DispatchError("bad_request", describeInvalidName(name));
    if (record.name === name) return directory.info(record);
    if (directory.nameTaken(name)) {
      throw new DispatchError("conflict", `a session named '${name}' already exists; pick another name`);
    }
    return directory.info(directory.update(record.id, { name }));
  }

  /**
   * Stops a running session (SIGHUP unless told otherwise) and waits briefly for its exit;
   * a session that has already ended is removed, with its history.
   */
  async kill(ref: string, signal = "SIGHUP"): Promise<SessionInfo> {
    const { directory, hosts } = this.options;
    const record = directory.resolve(ref);
    if (!isLiveStatus(record.status)) {
      const info = directory.info(record);
      this.remove(record.id);
      return info;
    }
    const exited = this.waitForExit(record.id, KILL_WAIT_MS);
    await hosts.require(record.host).request({ type: "signal", session: record.id, signal });
    await exited;
    return this.get(record.id);
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
    return this.get(record.id);
  }

  /**
   * A verb of the session's kind: its arguments checked by the kind's schema, then run in the
   * hub or sent to the session's runtime, as the kind says. A long-running verb (an
   * evaluation) waits for its answer as long as the session and its host's link last.
   */
  async command(ref: string, name: string, rawArgs: unknown): Promise<unknown> {
    const { directory, hosts } = this.options;
    const record = directory.resolve(ref);
    const definition = commandOf(getKind(record.kind), name);
    const args = parseOrBadRequest(definition.args, rawArgs, `invalid arguments for '${name}'`);
    if (definition.whileLive !== false) this.requireLive(record.id, `'${name}' was not run`);
    const longRunning = definition.longRunning === true;
    const host = (verb: string, hostArgs: unknown) => {
      const link = hosts.require(record.host);
      const answer = link.request(
        { type: "command", session: record.id, name: verb, args: hostArgs },
        { longRunning },
      );
      if (!longRunning) return answer;
      const { bus, directory } = this.options;
      return answerUnlessEnded({ bus, directory }, { id: record.id, verb, link, answer });
    };
    if (!definition.run) return host(name, args);
    return definition.run({ record, host, events: () => readWholeLog(this.options.store, record.id) }, args);
  }

  /**
   * Removes ended sessions (exited, failed; orphaned too) whose last activity is older than
   * `olderThanMs`, with their history. Returns the names removed.
   */
  gc(olderThanMs = 0, now = Date.now()): string[] {
    const removed: string[] = [];
    for (const record of this.options.directory.all()) {
      if (isLiveStatus(record.status) || now - record.lastActivityAt < olderThanMs) continue;
      this.remove(record.id);
      removed.push(record.name);
    }
    if (removed.length > 0) this.options.store.audit("hub", "gc", { removed });
    return removed;
  }

  /** Removes a session and its history (its subscribers are closed, its tokens revoked). */
  remove(id: string): void {
    this.options.bus.emit("removed", id);
    this.options.screens.forget(id);
    this.options.directory.remove(id);
  }

  // ---- internals -----------------------------------------------------------------------

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
      if (undone?.(err)) this.remove(record.id);
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
      ...extra,
    };
  }

  private waitForExit(id: string, timeoutMs: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        stop();
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      const stop = this.options.bus.on("exited", (session) => {
        if (session === id) done();
      });
    });
  }

  private requireLive(ref: string, consequence: string): SessionRecord {
    const record = this.options.directory.resolve(ref);
    if (!isLiveStatus(record.status)) throw endedError(record, consequence);
    return record;
  }
}
