/**
 * A session kind is an addon of the hub: one module that says how its sessions start and how
 * their output is understood. Adding a kind is writing one module and registering it in
 * `registry.ts`.
 */

export interface KindSpawnContext {
  /** The host user's environment (already scrubbed of dispatch secrets). */
  env: Record<string, string | undefined>;
}

export interface SessionKind {
  /** Name used in the protocol and the store (`terminal`, `agent`, ...). */
  readonly name: string;
  /** Short label for lists and the web UI's kind icon. */
  readonly label: string;
  /**
   * Which host runtime runs the session (see `host/runtimes.ts`): `pty` runs it in a
   * pseudo-terminal (terminal, agent). Other runtimes register there.
   */
  readonly runtime: string;
  /** argv to run for a requested command; an empty command means the user's shell. */
  resolveCommand(command: readonly string[], context: KindSpawnContext): string[];
  /**
   * Checks a create request's kind-specific `options` (throws `bad_request`) and splits them
   * into what the hub keeps in the session's `meta` and what the host runtime gets in the
   * spawn spec. Kinds without options leave this out.
   */
  prepareOptions?(options: Record<string, unknown>): KindOptions;
  /** The host guesses the session's `state` from output and idleness (agents without hooks). */
  readonly guessesState?: boolean;
  /** Sessions get a token of their own in their environment, for `dispatch notify`. */
  readonly sessionToken?: boolean;
}

export interface KindOptions {
  meta: Record<string, unknown>;
  spawn: Record<string, unknown>;
}
