/**
 * Exit codes of the `dispatch` command (a contract: scripts rely on them) and how errors map
 * to them. Every error prints one line, `dispatch: <message>`, to stderr.
 */
import { CommanderError } from "commander";
import { DispatchError } from "../core/errors.js";

export const EXIT_OK = 0;
export const EXIT_ERROR = 1;
export const EXIT_USAGE = 2;

/** A mistake in how the command was called (bad flag value, bad setting): exit code 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "UsageError";
  }
}

/** The message every CLI path prints when no hub answers. */
export const HUB_NOT_RUNNING = "the hub is not running — start it with `dispatch start`";

export function exitCodeFor(err: unknown): number {
  if (err instanceof CommanderError) return err.exitCode === 0 ? EXIT_OK : EXIT_USAGE;
  if (err instanceof UsageError) return EXIT_USAGE;
  return EXIT_ERROR;
}

/** The one-line description printed after `dispatch: `. */
export function errorMessage(err: unknown): string {
  if (err instanceof DispatchError || err instanceof UsageError) return err.message;
  if (err instanceof Error) return err.message;
  return String(err);
}
