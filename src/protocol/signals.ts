/**
 * The signals a person may send a session (`dispatch kill --signal`, the client protocol's `kill`,
 * `DELETE /api/sessions/:name?signal=`): the ones that end a program (`core/signals.ts` says
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

/** SIGHUP by default: what closing a terminal sends, and what an interactive shell obeys. */
export const KillSignal = z.enum(KILL_SIGNALS);
export type KillSignal = z.infer<typeof KillSignal>;
