/**
 * What clients can do with sessions: create, input, resize, rename, kill, revive, a kind's own
 * commands, gc and remove; and read them back. Every change of a running session goes to its
 * host as a message; the record follows when the resulting events are stored (`EventIntake`).
 * Kind-specific behaviour comes from the session's kind (`kinds/`), never from its name.
 *
 * The front door for the server: starting sessions is `SessionLauncher`'s, a kind's verbs are
 * `KindCommands`', removal is `SessionRemoval`'s; the verbs any session has are here.
 */
import { DispatchError } from "../core/errors.js";
import { isLiveStatus } from "../core/liveness.js";
import { describeInvalidName, isValidName } from "../core/names.js";
import { findKind } from "../kinds/registry.js";
import type { SessionEvent } from "../protocol/events.js";
import type { InputId } from "../protocol/inputId.js";
import type { Caller } from "../protocol/people.js";
import type { CreateSessionParams, SessionInfo, SessionRecord } from "../protocol/session.js";
import { isEndingSignal } from "../protocol/signals.js";
import { capabilitiesOf } from "./EventIntake.js";
import { requireLive } from "./endedSession.js";
import type { HubEvents } from "./HubEvents.js";
import { KindCommands } from "./KindCommands.js";
import type { DirectoryListener } from "./SessionDirectory.js";
import { SessionLauncher, type SessionLauncherOptions } from "./SessionLauncher.js";
import { SessionRemoval } from "./SessionRemoval.js";

/** How long `kill` with a signal meant to end the program waits for the end before answering. */
const KILL_WAIT_MS = 3000;
/**
 * After any other signal (SIGINT, SIGQUIT), delivered: how long `kill` looks for an exit before
 * answering. A program that dies of it (a `sleep`) is reported ended; a shell that runs on is
 * answered without a wait a person would notice.
 */
const SIGNAL_EXIT_LOOK_MS = 500;
/** Hosts keep their sessions' names (for a hub that must adopt them) from this host protocol on. */
const NAMES_SINCE_HOST_PROTOCOL = 3;

export interface SessionCommandsOptions extends Omit<SessionLauncherOptions, "removal"> {
  bus: HubEvents;
}

export class SessionCommands {
  private readonly removal: SessionRemoval;
  private readonly launcher: SessionLauncher;
  private readonly kindCommands: KindCommands;

  constructor(private readonly options: SessionCommandsOptions) {
    this.removal = new SessionRemoval(options);
    this.launcher = new SessionLauncher({ ...options, removal: this.removal });
    this.kindCommands = new KindCommands(options);
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

  /** The session's id and name, as `get` resolves it, without its public view. */
  target(ref: string): Pick<SessionInfo, "id" | "name"> {
    return this.options.directory.resolve(ref);
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

  create(params: CreateSessionParams): Promise<SessionInfo> {
    return this.launcher.create(params);
  }

  /**
   * Input from the person `by`: the runtime may keep things per person, and say whose it is. `id`: the
   * client's number for it, which the host applies once (a resend after a hub restart, or after
   * the error this rejects with). Resolves once the input is on a link to its host: for a host
   * linked to another node, once that node took it, so a client is never told it was sent when
   * it was lost on the way (that node no longer linked to the host, the socket to it closed).
   * `answer: "with-echo"` (a client socket) resolves with the session's echo too, or
   * `EchoReceipts`' moment after, so the answer leaves in the echo's write; a REST call has no
   * such write to share and is answered once the input is delivered.
   */
  async input(
    ref: string,
    data: string,
    by?: Caller,
    id?: InputId,
    answer: "delivered" | "with-echo" = "delivered",
  ): Promise<void> {
    const record = requireLive(this.options.directory.resolve(ref), "input was not delivered");
    findKind(record.kind)?.checkInput?.(data, record);
    const link = this.options.hosts.require(record.host);
    const message = {
      type: "input" as const,
      session: record.id,
      data,
      ...(by !== undefined ? { by: by.id, byName: by.name } : {}),
      ...(id !== undefined ? { id } : {}),
    };
    // Handed over before anything is awaited: keystrokes leave in the order they were typed.
    const taken = link.sendConfirmed ? link.sendConfirmed(message) : link.send(message);
    // In the same write, after the input: the host writes the keystroke to its program before
    // it reads the acknowledgements.
    this.options.intake.acknowledge(link);
    this.options.intake.expectEcho(record.id);
    // Before the await: a confirmation from another node may come after the echo is stored.
    const echoed = answer === "with-echo" ? this.options.intake.echoed(record.id) : undefined;
    await taken;
    // The receipt then leaves in the echo's write: one write to the client, one wake of it.
    await echoed;
  }

  resize(ref: string, cols: number, rows: number): void {
    const record = requireLive(this.options.directory.resolve(ref), "it cannot be resized");
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
    directory.refuseTakenName(name);
    const renamed = directory.update(record.id, { name });
    this.tellHostName(renamed);
    return directory.info(renamed);
  }

  /**
   * Signals a running session (SIGHUP unless told otherwise) and answers with its record: after
   * a signal meant to end it (`protocol/signals.ts`), once it ended or `KILL_WAIT_MS` passed; after
   * any other, once its host delivered it and a short look for an exit. A session that has
   * already ended is removed, with its history.
   */
  async kill(ref: string, signal = "SIGHUP"): Promise<SessionInfo> {
    const { directory, hosts } = this.options;
    const record = directory.resolve(ref);
    if (!isLiveStatus(record.status)) {
      const info = directory.info(record);
      this.remove(record.id);
      return info;
    }
    // Listening before the signal leaves: the exit may be stored before the host's answer.
    const exit = this.watchExit(record.id);
    try {
      await hosts.require(record.host).request({ type: "signal", session: record.id, signal });
      await exit.within(isEndingSignal(signal) ? KILL_WAIT_MS : SIGNAL_EXIT_LOOK_MS);
    } finally {
      exit.stop();
    }
    return this.get(record.id);
  }

  /** Starts an ended session again, as its kind says (`SessionLauncher.revive`). */
  revive(ref: string, options?: Record<string, unknown>): Promise<SessionInfo> {
    return this.launcher.revive(ref, options);
  }

  /** A verb of the session's kind (`KindCommands`), asked for by the person `by`. */
  command(ref: string, name: string, rawArgs: unknown, by?: Caller): Promise<unknown> {
    return this.kindCommands.run(ref, name, rawArgs, by);
  }

  /** Removes ended sessions idle for `olderThanMs` or longer (`SessionRemoval.gc`); returns their names. */
  gc(olderThanMs = 0, now = Date.now()): string[] {
    return this.removal.gc(olderThanMs, now);
  }

  /** Removes a session and its history (its subscribers are closed, its tokens revoked). */
  remove(id: string): void {
    this.removal.remove(id);
  }

  // ---- internals -----------------------------------------------------------------------

  /**
   * The host keeps the name for its hello, where a hub without this record adopts the session
   * under it. A host away now misses it, and the answer to its next hello brings it; a host
   * before host protocol 3 keeps no names (it would drop the message as invalid).
   */
  private tellHostName(record: SessionRecord): void {
    if (!isLiveStatus(record.status)) return;
    const link = this.options.hosts.link(record.host);
    if (link && (link.protocol ?? 1) >= NAMES_SINCE_HOST_PROTOCOL)
      link.send({ type: "rename", session: record.id, name: record.name });
  }

  /** The session's exit, from now on: `within` resolves on it or after `ms`, whichever is first. */
  private watchExit(id: string): { within(ms: number): Promise<void>; stop(): void } {
    let exited = false;
    let wake: (() => void) | undefined;
    const stop = this.options.bus.on("exited", (session) => {
      if (session !== id) return;
      exited = true;
      wake?.();
    });
    return {
      within: (ms) =>
        new Promise<void>((resolve) => {
          if (exited) return resolve();
          const timer = setTimeout(resolve, ms);
          wake = () => {
            clearTimeout(timer);
            resolve();
          };
        }),
      stop,
    };
  }
}
