/**
 * `dispatch start` on its own: the command program with only `start` registered. A hub restart
 * waits on this process's boot before the supervisor's and the hub's, and the full program
 * loads every command module (the terminal client, the pickers, every kind's verbs) first.
 */
import { Command, CommanderError } from "commander";
import { registerStart } from "./commands/start.js";
import { EXIT_OK, errorMessage, exitCodeFor } from "./exitCodes.js";
import { oneLineUsageErrors } from "./usageErrors.js";

export async function runCli(argv: readonly string[]): Promise<number> {
  const program = new Command("dispatch").exitOverride();
  registerStart(program);
  oneLineUsageErrors(program);
  try {
    await program.parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    // Commander has already printed its own usage errors.
    if (!(err instanceof CommanderError)) console.error(`dispatch: ${errorMessage(err)}`);
    return exitCodeFor(err);
  }
}
