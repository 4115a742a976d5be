/**
 * Entry of the hub the supervisor runs (`… dispatchServe.js serve --port P …`): `dispatch serve`
 * without the other command modules (the terminal client, the pickers, every kind's verbs), so
 * the hub boots faster and holds less. The file name keeps "dispatch" in the hub's command
 * line, which `isDispatchProcess` checks before signalling a pid from a pid file.
 */
import { Command, CommanderError } from "commander";
import { dropLeanEnv } from "../platform/leanProcess.js";
import { registerServe } from "./commands/serve.js";
import { EXIT_OK, errorMessage, exitCodeFor } from "./exitCodes.js";
import { oneLineUsageErrors } from "./usageErrors.js";

dropLeanEnv();

const program = new Command("dispatch").exitOverride();
registerServe(program);
oneLineUsageErrors(program);

// No top-level await: the bundle is CommonJS, run through V8's code cache (`cachedBundle.ts`).
async function main(): Promise<void> {
  let code: number;
  try {
    await program.parseAsync(process.argv);
    code = typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    if (!(err instanceof CommanderError)) console.error(`dispatch: ${errorMessage(err)}`);
    code = exitCodeFor(err);
  }
  await new Promise<void>((resolve) => process.stdout.write("", () => resolve()));
  await new Promise<void>((resolve) => process.stderr.write("", () => resolve()));
  process.exit(code);
}

void main();
