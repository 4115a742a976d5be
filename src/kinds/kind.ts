/**
 * A session kind is an addon of the hub, as an xterm.js addon is of a terminal: one module
 * that says what its sessions take to start, which events of their own they write and what
 * those mean for the session record, whether the hub keeps a screen for them, how they come
 * back once their process has ended, and which verbs they accept. Nothing else in the hub
 * names a kind. Register it in `registry.ts`, or ship it as a plug-in module (`plugins.ts`).
 *
 * Its other halves: a host runtime (`host/runtimes/`), a web view (`web/src/kinds/`) and CLI
 * verbs (`cli/kinds/`), each registered by the kind's name.
 */
import type { z } from "zod";
import type { JsonEvent, SessionEvent } from "../protocol/events.js";
import type { SessionInfo, SessionRecord } from "../protocol/session.js";

export interface SessionKind {
  /** Name used in the protocol and the store (`terminal`, `agent`, ...). */
  readonly name: string;
  /** Short label for lists. */
  readonly label: string;
  /**
   * Words people use for this kind's sessions that are not its name (a workspace runs an
   * "image"), so a client given one says which kind is meant instead of "no such kind".
   */
  readonly alsoCalled?: readonly string[];
  /**
   * Checks a create request (throws `bad_request`) and splits its kind-specific `options`
   * into what the hub keeps in the record's `meta` and what the host runtime gets. Kinds
   * without options leave this out (and refuse any).
   */
  prepare?(request: CreateRequest): Prepared;
  /** The kind's own event types and their payload schemas, checked when a host sends one. */
  readonly events?: Readonly<Record<string, z.ZodType>>;
  /** What one of the kind's own events changes in the record (nothing when undefined). */
  fold?(record: SessionRecord, event: JsonEvent): Partial<SessionRecord> | undefined;
  /**
   * What clients see of the record's `meta` (create options, an agent's state), and what the
   * session is busy with when that is not a terminal's foreground job (an editor's file, a
   * kernel running a cell): lists show it where a shell's command would be.
   */
  describe?(record: SessionRecord): Partial<Pick<SessionInfo, "options" | "agent" | "foreground">>;
  /**
   * The hub keeps this kind's screen (a headless terminal fed with its output): snapshots,
   * attach from the current screen, retention behind snapshots.
   */
  readonly screen?: boolean;
  /**
   * Its sessions take the smallest size of the writers attached, whatever the hub's size rule
   * (`DISPATCH_WINDOW_SIZE`): for a kind whose host draws a line editor at the session's width
   * (a workspace's console, a chat). A client's terminal wider than that shows its rows right; a
   * narrower one would wrap them again and misplace every redraw. No program reflows at its
   * size, so the smallest costs the others only rows that end early (tmux's `smallest`).
   */
  readonly smallestSize?: boolean;
  /**
   * The kind's own snapshot, for kinds without a screen whose state is built from many small
   * events (an editor's document): the hub folds the events into it every `everyEvents`
   * events and stores it like a screen snapshot, so a client attaching from the current state
   * gets it and the events after it, whatever the length of the log.
   */
  readonly snapshot?: KindSnapshot;
  /**
   * Refuses input its runtime would drop unread (throws `bad_request` saying what to do): text
   * typed at a session whose input is not keys (an editor takes its page's edits). Absent:
   * every input goes to the runtime. On the input path: keep it cheap.
   */
  checkInput?(data: string, record: SessionRecord): void;
  /** How an ended session starts again (same record, log continued); absent: it cannot. */
  revive?(context: ReviveContext): Promise<ReviveSpec> | ReviveSpec;
  /**
   * What reviving starts, as the revive advice says it ("`dispatch revive NAME` starts …",
   * `reviveAdvice.ts`), when "it again" would hide what is lost (an image: a fresh kernel).
   */
  readonly revivedAs?: string;
  /** Verbs clients may send as `command {session, name, args}`, by name. */
  readonly commands?: Readonly<Record<string, KindCommand>>;
  /** Sessions get a token good for themselves alone in their environment (`dispatch notify`). */
  readonly sessionToken?: boolean;
}

export interface KindSnapshot {
  /** Events between two snapshots. */
  readonly everyEvents: number;
  /**
   * The state after `events`, from the previous snapshot's state (undefined: from nothing).
   * May be async, for a kind whose implementation is loaded on first use.
   */
  fold(previous: string | undefined, events: Iterable<SessionEvent>): string | Promise<string>;
}

export interface CreateRequest {
  /** argv as the client asked; empty means the runtime's default (a shell for terminals). */
  command: readonly string[];
  options: Record<string, unknown> | undefined;
  /** The working directory the client asked for (absolute); absent when it named none. */
  cwd?: string;
}

export interface Prepared {
  meta: Record<string, unknown>;
  spawn: Record<string, unknown>;
  /**
   * The name a session is given when the request names none, if the kind has a better one
   * than a random `brisk-otter` (an editor: its file's); `-2`, `-3` are added while taken.
   */
  name?: string;
}

export interface ReviveContext {
  record: SessionRecord;
  /** The session's screen as the hub holds it (screen kinds). */
  currentScreen(): Promise<string>;
  /** Every stored event of the session, oldest first, read page by page. */
  events(): Iterable<SessionEvent>;
  /** What the client asked of this revive, for the kind to check (a workspace's `replay`). */
  options?: Record<string, unknown>;
}

/** What the runtime is started with besides the record's command, cwd and size. */
export interface ReviveSpec {
  /** Text shown first (a terminal's old screen). */
  preface?: string;
  /** Options for the runtime (a chat's settings and its conversation so far). */
  options?: Record<string, unknown>;
}

export interface KindCommand<A = unknown> {
  /** One line for help and errors. */
  readonly description: string;
  /** Schema of the command's `args`. */
  readonly args: z.ZodType<A>;
  /** Only while the session runs (default); false for verbs that read the record or the log. */
  readonly whileLive?: boolean;
  /**
   * Changes nothing (reads the record, the log or the runtime's state): whoever may watch the
   * session may run it, a viewer or a read-only share link too. Default: a writer's verb.
   */
  readonly readOnly?: boolean;
  /**
   * Loses or ends what the session holds, as a kill does (a kernel's restart loses the
   * kernel's state): a writer's verb, never a share link's, whatever the link may type. Says
   * what the verb does, as a refusal names it: "restart its kernel". Default: what typing
   * into the session is (`readOnly` aside), so a write link may run it.
   */
  readonly control?: string;
  /**
   * Runs as long as the work it starts (an evaluation: a notebook cell may take minutes). The
   * hub waits for the runtime's answer with no deadline, failing it only when the host's link
   * drops (the heartbeat drops a host that stops answering) or the session ends. Otherwise the
   * host has the few seconds a quick verb needs.
   */
  readonly longRunning?: boolean;
  /** Runs in the hub. Absent: the parsed args go to the session's runtime on its host. */
  run?(context: CommandContext, args: A): Promise<unknown> | unknown;
}

export interface CommandContext {
  record: SessionRecord;
  /** Sends a command to the session's runtime on its host; resolves with its answer. */
  host(name: string, args: unknown): Promise<unknown>;
  /** Every stored event of the session, oldest first. */
  events(): Iterable<SessionEvent>;
}

/** Declares a command with its argument type inferred from the schema. */
export function command<A>(definition: KindCommand<A>): KindCommand {
  return definition as KindCommand;
}
