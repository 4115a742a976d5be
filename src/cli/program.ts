/**
 * The `dispatch` command line: commander wiring only, one module per core command in
 * `commands/`, then each session kind's verbs from `kinds/registry.ts`.
 * `runCli` returns the exit code: 0 ok, 1 error, 2 usage.
 */
import { Command, CommanderError } from "commander";
import { VERSION } from "../core/version.js";
import { ensureHub } from "./autoStart.js";
import { registerAttach } from "./commands/attach.js";
import { registerBackup } from "./commands/backup.js";
import { registerCmd } from "./commands/cmd.js";
import { registerConfig } from "./commands/config.js";
import { registerDoctor } from "./commands/doctor.js";
import { registerDown } from "./commands/down.js";
import { registerGc } from "./commands/gc.js";
import { registerHelp } from "./commands/help.js";
import { registerHost, registerHosts, registerUse } from "./commands/hostCommands.js";
import { registerInit } from "./commands/init.js";
import { registerKill } from "./commands/kill.js";
import { registerLogs } from "./commands/logs.js";
import { registerLs } from "./commands/ls.js";
import { registerNew } from "./commands/new.js";
import { registerAudit, registerShare, registerUsers, registerWho } from "./commands/people.js";
import { pick } from "./commands/pick.js";
import { registerPs } from "./commands/ps.js";
import { registerRename } from "./commands/rename.js";
import { registerRevive } from "./commands/revive.js";
import { registerSearch } from "./commands/search.js";
import { registerSend } from "./commands/send.js";
import { registerServe } from "./commands/serve.js";
import { registerStart } from "./commands/start.js";
import { registerStatus } from "./commands/status.js";
import { registerStop } from "./commands/stop.js";
import { registerUp } from "./commands/up.js";
import { EXIT_OK, errorMessage, exitCodeFor } from "./exitCodes.js";
import { cliKinds } from "./kinds/registry.js";
import { oneLineUsageErrors } from "./usageErrors.js";

export function buildProgram(): Command {
  const program = new Command("dispatch")
    .description("a self-hosted session hub: long-lived terminal sessions you can leave and come back to")
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      "after",
      "\nEnvironment: DISPATCH_HOME (data dir), DISPATCH_PORT, DISPATCH_KEY, DISPATCH_LOG_LEVEL.\nExit codes: 0 ok, 1 error, 2 usage.",
    );
  for (const register of [
    registerServe,
    registerStart,
    registerStop,
    registerStatus,
    registerDoctor,
    registerBackup,
    registerNew,
    registerLs,
    registerAttach,
    registerSend,
    registerLogs,
    registerSearch,
    registerRename,
    registerKill,
    registerRevive,
    registerCmd,
    registerGc,
    registerHost,
    registerHosts,
    registerUse,
    registerInit,
    registerUp,
    registerDown,
    registerPs,
    registerUsers,
    registerShare,
    registerWho,
    registerAudit,
  ]) {
    register(program);
  }
  for (const kind of cliKinds) kind.register(program);
  program.hook("preAction", (_program, action) => ensureHub(topLevelName(action)));
  // Settings and help close the list in `dispatch --help`, after every kind's verbs.
  registerConfig(program);
  registerHelp(program);
  oneLineUsageErrors(program);
  return program;
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    // No arguments: the session picker (or, without a terminal, the `ls` table).
    if (argv.length <= 2) {
      await ensureHub("pick");
      await pick();
    } else await buildProgram().parseAsync(argv as string[]);
    return typeof process.exitCode === "number" ? process.exitCode : EXIT_OK;
  } catch (err) {
    // Commander has already printed its own usage errors.
    if (!(err instanceof CommanderError)) console.error(`dispatch: ${errorMessage(err)}`);
    return exitCodeFor(err);
  }
}

/** The name of the top-level command `command` belongs to (`hosts` for `hosts token create`). */
function topLevelName(command: Command): string {
  let current = command;
  while (current.parent?.parent) current = current.parent;
  return current.name();
}
