/**
 * A session kind's CLI verbs, the CLI's side of a kind plug-in (the hub's is `src/kinds/`):
 * one module per kind registers its commands on the program, and `registry.ts` lists the
 * modules. Adding a kind's verbs touches no core command.
 */
import type { Command } from "commander";

export interface CliKind {
  /** The session kind the verbs work on: the hub kind's `name`. */
  readonly kind: string;
  /** Adds the kind's commands to the `dispatch` program. */
  register(program: Command): void;
}
