/**
 * The signals a person may send a session (`dispatch kill --signal`, the client protocol's `kill`,
 * `DELETE /api/sessions/:name?signal=`): the ones that end a program (`isEndingSignal` says
 * which) and the ones programs take as a request — USR1/USR2 to reload or dump state, WINCH,
 * STOP/TSTP/CONT for job control, ALRM, PIPE. One list for the hub, its REST API and the CLI.
 */
import { z } from "zod";

export const KILL_SIGNALS = [
  "SIGHUP",
  "SIGTERM",
  "SIGKILL",
  "SIGINT",
  "SIGQUIT",
  "SIGUSR1",
  "SIGUSR2",
  "SIGWINCH",
  "SIGCONT",
  "SIGSTOP",
  "SIGTSTP",
  "SIGALRM",
  "SIGPIPE",
] as const;

/**
 * The signals meant to end a program: SIGHUP (a terminal closing, what `kill` sends by default),
 * SIGTERM and SIGKILL. `dispatch kill` waits for the end of those and says how the session ended.
 * Any other (SIGINT, SIGQUIT, SIGUSR1, ...) is one a shell, a REPL or a chat takes and runs on
 * after: the hub answers once the host delivered it, and the command says the session still runs.
 */
const ENDING_SIGNALS: ReadonlySet<string> = new Set<KillSignal>(["SIGHUP", "SIGTERM", "SIGKILL"]);

export function isEndingSignal(signal: string): boolean {
  return ENDING_SIGNALS.has(signal);
}

/** SIGHUP by default: what closing a terminal sends, and what an interactive shell obeys. */
export const KillSignal = z.enum(KILL_SIGNALS);
export type KillSignal = z.infer<typeof KillSignal>;

/** Linux's numbers of the signals that end programs or that programs take (`kill -l`). */
const SIGNAL_NAMES: Readonly<Record<number, string>> = {
  1: "SIGHUP",
  2: "SIGINT",
  3: "SIGQUIT",
  4: "SIGILL",
  5: "SIGTRAP",
  6: "SIGABRT",
  7: "SIGBUS",
  8: "SIGFPE",
  9: "SIGKILL",
  10: "SIGUSR1",
  11: "SIGSEGV",
  12: "SIGUSR2",
  13: "SIGPIPE",
  14: "SIGALRM",
  15: "SIGTERM",
};

/**
 * `SIGHUP` for 1: the name a person looks up, not the number a process's exit carries. Hosts
 * run on Linux, so its numbers; one it does not list stays `signal N`.
 */
export function signalName(signal: number): string {
  return SIGNAL_NAMES[signal] ?? `signal ${signal}`;
}
