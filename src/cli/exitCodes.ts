/**
 * Exit codes of the `dispatch` command (a contract: scripts rely on them) and how errors map
 * to them. Every error prints one line, `dispatch: <message>`, to stderr.
 */
import { CommanderError } from "commander";

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
  return visible(err instanceof Error ? err.message : String(err));
}

/**
 * Control characters shown as `\x1b`, not sent: a message quoting what someone typed (a name
 * with an escape sequence in it) must not recolour or move about the user's terminal.
 */
function visible(text: string): string {
  return text.replace(
    /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g,
    (c) => `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}`,
  );
}
