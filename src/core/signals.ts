/**
 * Which signals are meant to end a program: SIGHUP (a terminal closing, what `kill` sends by
 * default), SIGTERM and SIGKILL. `dispatch kill` waits for the end of those and says how the
 * session ended. Any other (SIGINT, SIGQUIT) is one a shell, a REPL or a chat takes and runs on
 * after: the hub answers once the host delivered it, and the command says the session still runs.
 * One definition for the hub and the CLI.
 */
const ENDING_SIGNALS: ReadonlySet<string> = new Set(["SIGHUP", "SIGTERM", "SIGKILL"]);

export function isEndingSignal(signal: string): boolean {
  return ENDING_SIGNALS.has(signal);
}
