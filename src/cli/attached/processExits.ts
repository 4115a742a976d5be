/**
 * The ways the process can end under the terminal client besides its own: a signal, an
 * exception nothing caught, and the exit itself. Each must leave the user's terminal restored.
 */

/** Signals that end the client; the terminal is restored first. */
export const EXIT_SIGNALS = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGTERM: 15 } as const;
export type ExitSignal = keyof typeof EXIT_SIGNALS;

export interface ProcessExitHandlers {
  signal(signal: ExitSignal): void;
  /** An uncaught exception or unhandled rejection. */
  exception(err: unknown): void;
  /** The process is exiting: whatever happened, the terminal is restored (synchronously). */
  exit(): void;
}

/**
 * Listens for every way out; returns what stops listening, but for `exit`, which stays: the
 * terminal's restore is idempotent, and an exit is the last chance for it.
 */
export function onProcessExits(handlers: ProcessExitHandlers): () => void {
  const { signal: onSignal, exception: onException, exit: onExit } = handlers;
  for (const signal of Object.keys(EXIT_SIGNALS) as ExitSignal[]) process.on(signal, onSignal);
  process.on("exit", onExit);
  process.on("uncaughtException", onException);
  process.on("unhandledRejection", onException);
  return () => {
    for (const signal of Object.keys(EXIT_SIGNALS) as ExitSignal[]) process.off(signal, onSignal);
    process.off("uncaughtException", onException);
    process.off("unhandledRejection", onException);
  };
}
