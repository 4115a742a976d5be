/**
 * A session kind's CLI verbs, the CLI's side of a kind plug-in (the hub's is `src/kinds/`):
 * one module per kind registers its commands on the program, and `registry.ts` lists the
 * modules. Adding a kind's verbs touches no core command.
 */
import type { Command } from "commander";
import type { HostView } from "../../protocol/hosts.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { DispatchConfig } from "../config.js";

/** What a project file declares for a session that its kind may resolve (`CliKind.declare`). */
export interface DeclaredFields {
  name: string;
  /** The session's working directory; a kind may move it (an agent's worktree). */
  cwd: string;
  command: string[];
  env: Record<string, string>;
  options: Record<string, unknown> | undefined;
  /** The host it is to run on: a kind may refuse what it cannot make there (an agent's worktree). */
  runsOn: Pick<HostView, "id" | "name" | "hostname">;
}

export interface CliKind {
  /** The session kind the verbs work on: the hub kind's `name`. */
  readonly kind: string;
  /** Adds the kind's commands to the `dispatch` program. */
  register(program: Command): void;
  /**
   * What removing the session would lose that is not saved elsewhere (an editor's unsaved
   * edits), in words; undefined when nothing. Commands that remove sessions in bulk (`down`,
   * `up`) leave such a session alone and say so.
   */
  unsaved?(session: SessionInfo): string | undefined;
  /**
   * A project's declaration (`dispatch up`) made into what the hub creates, resolving what the
   * config holds as the kind's own verbs do (an agent's profile into its command, a chat's
   * provider profile into its settings); throws, saying what is wrong, for a declaration it
   * cannot make a session of. Absent: the declaration goes to the hub as written.
   */
  declare?(declared: DeclaredFields, config: () => DispatchConfig): DeclaredFields;
  /**
   * What the session leaves on disk once removed (an agent's worktree and branch), said by
   * `down`; with `remove`, it is removed when that loses nothing, and the words say how it went.
   */
  leftBehind?(session: SessionInfo, options: { remove: boolean }): LeftBehind | undefined;
  /**
   * Why the ended session cannot be revived, said with what to do (an agent whose worktree was
   * removed would start in a directory that is gone); undefined when nothing here stands in
   * the way. `dispatch revive` asks before the hub does.
   */
  reviveRefusal?(session: SessionInfo): string | undefined;
  /**
   * For a kind whose sessions write no terminal output (an editor: its events are edits), what
   * shows the session instead, said where output is asked of it (`logs`, `attach`).
   */
  noOutput?(session: SessionInfo): string;
}

export interface LeftBehind {
  /** One line for the person: what was kept or removed, and how to remove what was kept. */
  said: string;
  /** false: asked to remove it, it was refused (what would be lost is in `said`). */
  ok: boolean;
}
