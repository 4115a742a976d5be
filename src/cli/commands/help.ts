/**
 * `dispatch help [TOPIC|COMMAND...]`: the overview, a topic page, or a command's usage, for a
 * subcommand too (`dispatch help hosts token` is `dispatch hosts token --help`).
 */
import type { Command } from "commander";
import { didYouMean } from "../../core/names.js";
import { errorMessage, UsageError } from "../exitCodes.js";
import { HELP_TOPICS } from "../helpTopics.js";
import { noSuchLine } from "../usageErrors.js";

export function registerHelp(program: Command): void {
  program.helpCommand(false);
  program
    .command("help")
    .description("help on a topic (attach, picker, keys, config, sessions, ...) or a command")
    .argument("[topic...]", "a topic, or a command with its subcommands (hosts token)")
    .action((words: string[]) => help(program, words));
}

function help(program: Command, words: readonly string[]): void {
  const [topic, ...rest] = words;
  if (topic === undefined) {
    console.log(program.helpInformation().trimEnd());
    console.log("\nTopics (dispatch help TOPIC):");
    const width = Math.max(...Object.keys(HELP_TOPICS).map((t) => t.length));
    for (const [name, { summary }] of Object.entries(HELP_TOPICS))
      console.log(`  ${name.padEnd(width)}  ${summary}`);
    return;
  }
  const page = HELP_TOPICS[topic];
  if (page && rest.length === 0) {
    console.log(page.text());
    return;
  }
  const command = findCommand(program, topic);
  if (command) {
    console.log(subcommand(program, command, rest).helpInformation().trimEnd());
    return;
  }
  const commands = program.commands.map((c) => c.name());
  const guess = didYouMean(topic, [...Object.keys(HELP_TOPICS), ...commands]);
  // Worded as a mistyped command is (`usageErrors.ts`), pointing at the list that holds the guess.
  if (guess !== undefined && commands.includes(guess)) {
    throw new UsageError(
      noSuchLine({ what: "command", given: topic, guesses: [guess], listedBy: `${program.name()} --help` }),
    );
  }
  // `dispatch help` lists the topics and the commands.
  throw new UsageError(
    noSuchLine({
      what: guess === undefined ? "help topic or command" : "help topic",
      given: topic,
      guesses: guess === undefined ? [] : [guess],
      listedBy: `${program.name()} help`,
    }),
  );
}

/**
 * The subcommand of `command` that `words` name (`token create` under `hosts`); a word naming
 * none is a usage error worded as a mistyped command is.
 */
function subcommand(program: Command, command: Command, words: readonly string[]): Command {
  let found = command;
  let path = command.name();
  for (const word of words) {
    const next = findCommand(found, word);
    if (!next) {
      const names = found.commands.map((c) => c.name());
      if (names.length === 0) {
        throw new UsageError(
          errorMessage(
            `no command '${path} ${word}': '${path}' has no subcommands (${program.name()} ${path} --help shows its usage)`,
          ),
        );
      }
      const guess = didYouMean(word, names);
      throw new UsageError(
        noSuchLine({
          what: "command",
          given: `${path} ${word}`,
          guesses: guess === undefined ? [] : [`${path} ${guess}`],
          listedBy: `${program.name()} ${path} --help`,
        }),
      );
    }
    found = next;
    path = `${path} ${next.name()}`;
  }
  return found;
}

function findCommand(parent: Command, name: string): Command | undefined {
  return parent.commands.find((c) => c.name() === name || c.aliases().includes(name));
}
