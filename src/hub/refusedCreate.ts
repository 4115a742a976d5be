/**
 * Whether a failed create leaves a session behind. The record exists before the host is asked
 * to spawn (its name is taken, its id is in the spawn); when the host refuses the request, the
 * create is undone (`SessionLauncher.create` removes the record) and the person gets the host's
 * error, so a typo leaves neither a `failed` session nor a taken name.
 */
import { DispatchError } from "../core/errors.js";
import type { SessionKind } from "../kinds/kind.js";

/**
 * True when the host refused the spawn before anything ran, so there is no session to keep:
 * - its error is the host's verdict on the request (not retryable: an unknown kernel, a file
 *   the editor refuses, a path outside its roots). A retryable one is no verdict and does not
 *   say that nothing ran: after `host_unavailable` (the link dropped, or the host was slow) the
 *   host may have started the session and says so at its next hello; it and `internal` keep
 *   the `failed` record, to be revived;
 * - and the kind is not a terminal (no `screen`). A terminal's runtime checks its program, its
 *   directory and its sandbox before forking only to name what would otherwise be the program
 *   failing in the session (`checkSpawnable` in `host/runtimes/terminal.ts`): that is the
 *   program's failure, and the session stays `failed` with the reason, as a terminal shows a
 *   command's error, revivable once the program is installed. `dispatch up` relies on it
 *   (docs/CLI.md: "the session stays, `failed`, under its declared name"). Other kinds check
 *   what the create asked for against the host before they start anything.
 */
export function refusedBeforeStart(kind: SessionKind, err: unknown): boolean {
  return err instanceof DispatchError && !err.retryable && kind.screen !== true;
}
