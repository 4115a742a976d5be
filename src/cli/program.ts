/**
 * The `dispatch` command line: commander wiring only, one module per core command in
 * `commands/`, then each session kind's verbs from `kinds/registry.ts`.
 * `runCli` returns the exit code: 0 ok, 1 error, 2 usage.
 *
 * A command names itself first (`dispatch ls`), so `runCli` loads only that command's module:
 * every command module together, with the kinds' verbs, their zod schemas and the terminal
 * client, was most of a CLI call's start-up (docs/BENCHMARKS.md, "The CLI's start-up"). The
 * whole program is built for what only it can answer: `--help`, `help`, a kind's verb, a
 * mistyped command (its suggestion needs every name).
 */
import { Command, CommanderError } from "commander";
import { VERSION } from "../core/version.js";
import { EXIT_OK, errorMessage, exitCodeFor } from "./exitCodes.js";
import { startsHub } from "./hubCommands.js";
import { oneLineUsageErrors } from "./usageErrors.js";

type Register = (program: Command) => void;

/**
 * Every core command's module, by the top-level names its `register` adds, in the order
 * `dispatch --help` lists them. `program.test.ts` checks it against the whole program.
 */
const CORE_COMMANDS: ReadonlyArray<readonly [names: readonly string[], load: () => Promise<Register>]> = [
  [["serve"], async () => (await import("./commands/serve.js")).registerServe],
  [["start"], async () => (await import("./commands/start.js")).registerStart],
  [["stop"], async () => (await import("./commands/stop.js")).registerStop],
  [["status"], async () => (await import("./commands/status.js")).registerStatus],
  [["doctor"], async () => (await import("./commands/doctor.js")).registerDoctor],
  [["backup", "restore"], async () => (await import("./commands/backup.js")).registerBackup],
  [["new"], async () => (await import("./commands/new.js")).registerNew],
  [["ls"], async () => (await import("./commands/ls.js")).registerLs],
  [["attach"], async () => (await import("./commands/attach.js")).registerAttach],
  [["send"], async () => (await import("./commands/send.js")).registerSend],
  [["logs"], async () => (await import("./commands/logs.js")).registerLogs],
  [["search"], async () => (await import("./commands/search.js")).registerSearch],
  [["rename"], async () => (await import("./commands/rename.js")).registerRename],
  [["kill"], async () => (await import("./commands/kill.js")).registerKill],
  [["revive"], async () => (await import("./commands/revive.js")).registerRevive],
  [["cmd"], async () => (await import("./commands/cmd.js")).registerCmd],
  [["gc"], async () => (await import("./commands/gc.js")).registerGc],
  [["host"], async () => (await import("./commands/host.js")).registerHost],
  [["hosts"], async () => (await import("./commands/hosts.js")).registerHosts],
  [["use"], async () => (await import("./commands/use.js")).registerUse],
  [["init"], async () => (await import("./commands/init.js")).registerInit],
  [["up"], async () => (await import("./commands/up.js")).registerUp],
  [["down"], async () => (await import("./commands/down.js")).registerDown],
  [["ps"], async () => (await import("./commands/ps.js")).registerPs],
  [["users"], async () => (await import("./commands/people.js")).registerUsers],
  [["share"], async () => (await import("./commands/people.js")).registerShare],
  [["who"], async () => (await import("./commands/people.js")).registerWho],
  [["audit"], async () => (await import("./commands/people.js")).registerAudit],
];

/** The top-level names `CORE_COMMANDS` registers (for `program.test.ts`). */
export const CORE_COMMAND_NAMES: readonly string[] = CORE_COMMANDS.flatMap(([names]) => names);

function newProgram(): Command {
  return new Command("dispatch")
    .description("a self-hosted session hub: long-lived terminal sessions you can leave and come back to")
    .version(VERSION)
    .showSuggestionAfterError(true)
    .exitOverride()
    .addHelpText(
      "after",
      "\nEnvironment: DISPATCH_HOME (data dir), DISPATCH_PORT, DISPATCH_KEY, DISPATCH_LOG_LEVEL.\nExit codes: 0 ok, 1 error, 2 usage.",
    );
}

function finish(program: Command): Command {
  // Loaded when a command runs: it holds the REST client (zod, the protocol's schemas).
  program.hook("preAction", async (_program, action) => {
    const command = topLevelName(action);
    // Decided before the REST client (zod, the protocol's schemas) loads: `stop` needs none.
    if (startsHub(command)) await (await import("./autoStart.js")).ensureHub(command);
  });
  oneLineUsageErrors(program);
  return program;
}

/** The whole program: every core command, every kind's verbs, settings and help. */
export async function buildProgram(): Promise<Command> {
  const program = newProgram();
  const registers = await Promise.all(CORE_COMMANDS.map(([, load]) => load()));
  for (const register of registers) register(program);
  const { cliKinds } = await import("./kinds/registry.js");
  for (const kind of cliKinds) kind.register(program);
  // Settings and help close the list in `dispatch --help`, after every kind's verbs.
  (await import("./commands/config.js")).registerConfig(program);
  (await import("./commands/help.js")).registerHelp(program);
  return finish(program);
}

/**
 * The program `argv` needs: its core command alone when it names one, nothing but the program's
 * own options for `--version`, else the whole program.
 */
export async function programFor(argv: readonly string[]): Promise<Command> {
  const first = argv[2];
  if (first === "-V" || first === "--version") return finish(newProgram());
  const core = CORE_COMMANDS.find(([names]) => first !== undefined && names.includes(first));
  if (!core) return buildProgram();
  const program = newProgram();
  (await core[1]())(program);
  return finish(program);
}

export async function runCli(argv: readonly string[]): Promise<number> {
  try {
    // No arguments: the session picker (or, without a terminal, the `ls` table).
    if (argv.length <= 2) {
      await (await import("./autoStart.js")).ensureHub("pick");
      await (await import("./commands/pick.js")).pick();
    } else await (await programFor(argv)).parseAsync(argv as string[]);
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
