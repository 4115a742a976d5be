/**
 * Commander's usage errors in dispatch's style: one line, `dispatch: <message>` (`exitCodes.ts`).
 * Commander words an unknown command or option as `error: unknown command 'lss'` and puts its
 * guess on a line of its own (`(Did you mean ls?)`); dispatch says `no command 'lss' — did you
 * mean 'ls'?`, as for an unknown session, and where the list is.
 */
import type { Command } from "commander";
import { didYouMean, editDistance } from "../core/names.js";
import { hubCommandGivenName, meantCommand } from "./commandSynonyms.js";
import { errorMessage } from "./exitCodes.js";

/** Every command of `program` (registered by now) prints its usage errors as one line. */
export function oneLineUsageErrors(program: Command): void {
  const visit = (command: Command, path: string): void => {
    command.configureOutput({
      outputError: (text, write) =>
        write(
          `dispatch: ${excessExplained(command, text) ?? mistypedSubcommand(command, text) ?? usageErrorLine(text, path)}\n`,
        ),
    });
    for (const sub of command.commands) visit(sub, `${path} ${sub.name()}`);
  };
  visit(program, program.name());
}

/** What a command's arguments past those it takes mean (`share NAME read`: a role), as one line. */
export type ExcessExplainer = (args: readonly string[]) => string;

const explainers = new WeakMap<Command, ExcessExplainer>();

/**
 * Says commander's `too many arguments for 'share'` as `explain` words it: the command knows
 * what a person who typed one more word meant. Not the command's action: a hook before it
 * starts the hub, and a usage error starts nothing.
 */
export function explainExcessArguments(command: Command, explain: ExcessExplainer): void {
  explainers.set(command, explain);
}

/** Whether commander's error `text` is about arguments past those the command takes. */
function tooManyArguments(text: string): boolean {
  return /^(error: )?too many arguments/.test(text.trim());
}

function excessExplained(command: Command, text: string): string | undefined {
  const explain = explainers.get(command);
  if (!explain || !tooManyArguments(text)) return undefined;
  return errorMessage(explain(command.args));
}

/**
 * Commander's error `text` (perhaps several lines) as one line. `commandPath` is the command
 * it is about (`dispatch hosts token`), whose `--help` lists what may be given.
 */
export function usageErrorLine(text: string, commandPath: string): string {
  const [first = "", ...rest] = text
    .trim()
    .replace(/^error: /, "")
    .split("\n");
  const unknown = /^unknown (command|option) '(.*)'$/.exec(first);
  if (!unknown) {
    const line = [first, ...rest].map((part) => part.trim()).join(" ");
    const hint = /^too many arguments/.test(line) ? hubCommandGivenName(commandPath) : undefined;
    return errorMessage(hint ? `${line.replace(/\.$/, "")}: ${hint}` : line);
  }
  const [, what = "command", given = ""] = unknown;
  const meant = what === "command" && commandPath === "dispatch" ? meantCommand(given) : undefined;
  if (meant) return noSuchLine({ what, given, guesses: meant.guesses, listedBy: "", otherwise: meant.how });
  return noSuchLine({
    what,
    given,
    guesses: commanderGuesses(rest.join(" ")),
    listedBy: `${commandPath} --help`,
  });
}

export interface NoSuch {
  /** What was not found: `command`, `option`, `help topic`. */
  what: string;
  given: string;
  /** What the person may have meant, best first (none: no guess is shown). */
  guesses: readonly string[];
  /** The command that lists what exists (`dispatch hosts --help`). */
  listedBy: string;
  /** Said in place of where the list is: how to mean what was given after all. */
  otherwise?: string;
}

/**
 * `no command 'lss' — did you mean 'ls'? (dispatch --help lists them)`: the one wording for a
 * name the command line does not know, control characters in it shown rather than sent.
 */
export function noSuchLine({ what, given, guesses, listedBy, otherwise }: NoSuch): string {
  const guess = guesses.length > 0 ? ` — did you mean ${guesses.map((g) => `'${g}'`).join(" or ")}?` : "";
  return errorMessage(`no ${what} '${given}'${guess} (${otherwise ?? `${listedBy} lists them`})`);
}

/**
 * A command that takes a name and has subcommands too (`chat NAME` beside `chat export NAME`,
 * `share NAME` beside `share ls`) takes a mistyped subcommand for a name: `chat exprt` would
 * start a chat named exprt. A name one edit from a subcommand (a letter added, dropped or
 * changed, or two swapped) is taken for that typo: the line saying so, with `otherwise` (how to
 * mean the name after all) when there is a way. Undefined for any other name. Callers ask only
 * about a name that names nothing yet: an existing one is meant.
 */
export function subcommandTypo(command: Command, name: string, otherwise?: string): string | undefined {
  const names = command.commands.flatMap((sub) => [sub.name(), ...sub.aliases()]);
  const meant = names.find((sub) => editDistance(name, sub) === 1);
  if (meant === undefined) return undefined;
  const [program, ...path] = commandPath(command);
  const named = path.join(" ");
  return noSuchLine({
    what: "command",
    given: `${named} ${name}`,
    guesses: [`${named} ${meant}`],
    listedBy: `${program} ${named} --help`,
    ...(otherwise ? { otherwise } : {}),
  });
}

/**
 * A command that acts and has subcommands too (`hosts` lists hosts, `hosts token create` makes
 * a token) takes a mistyped subcommand for an argument of its own, and commander says `too many
 * arguments for 'hosts'`; so does the default subcommand run in its place (`users` runs
 * `users ls`). Said here as the unknown command it is: `no command 'hosts tokn' — did you mean
 * 'hosts token'?`. Undefined for any other error, and for an extra argument to a command that
 * takes arguments (`share NAME`) unless it looks like one of the subcommands.
 */
function mistypedSubcommand(command: Command, text: string): string | undefined {
  if (!tooManyArguments(text)) return undefined;
  const owner = command.parent && ranByDefault(command) ? command.parent : command;
  const [given] = command.args;
  if (!owner.parent || subcommandNames(owner).length === 0 || given === undefined) return undefined;
  const guessed = guessedSubcommand(owner, given);
  if (guessed !== undefined || command.registeredArguments.length > 0) return guessed;
  return noSuchSubcommand(owner, given, undefined);
}

/**
 * `no command 'share revok' — did you mean 'share revoke'? (…)` when `given`, an argument of
 * `owner`, looks like one of its subcommands (`didYouMean`); undefined when it looks like none.
 */
export function guessedSubcommand(owner: Command, given: string): string | undefined {
  const guess = didYouMean(given, subcommandNames(owner));
  return guess === undefined ? undefined : noSuchSubcommand(owner, given, guess);
}

function noSuchSubcommand(owner: Command, given: string, guess: string | undefined): string {
  const [program, ...path] = commandPath(owner);
  const named = path.join(" ");
  return noSuchLine({
    what: "command",
    given: `${named} ${given}`,
    guesses: guess === undefined ? [] : [`${named} ${guess}`],
    listedBy: `${program} ${named} --help`,
  });
}

function subcommandNames(owner: Command): string[] {
  return owner
    .createHelp()
    .visibleCommands(owner)
    .flatMap((sub) => [sub.name(), ...sub.aliases()]);
}

/** Whether `command` runs as its parent's default subcommand: its parent was not given its name. */
function ranByDefault(command: Command): boolean {
  const named = command.parent?.args[0];
  return named !== command.name() && !command.aliases().includes(named ?? "");
}

/** `["dispatch", "hosts", "token"]` for the command `hosts token`. */
function commandPath(command: Command): string[] {
  const names: string[] = [];
  for (let at: Command | null = command; at; at = at.parent) names.unshift(at.name());
  return names;
}

/** The names in commander's `(Did you mean ls?)` or `(Did you mean one of a, b?)`. */
function commanderGuesses(text: string): string[] {
  const names = /^\(Did you mean (?:one of )?(.+)\?\)$/.exec(text.trim())?.[1];
  return names ? names.split(", ") : [];
}
