/** `dispatch help [TOPIC|COMMAND]`: the overview, a topic page, or a command's usage. */
import type { Command } from "commander";
import { UsageError } from "../exitCodes.js";
import { closest, HELP_TOPICS } from "../helpTopics.js";
import { noSuchLine } from "../usageErrors.js";

export function registerHelp(program: Command): void {
  program.helpCommand(false);
  program
    .command("help")
    .description("help on a topic (attach, picker, keys, config, sessions, ...) or a command")
    .argument("[topic]", "a topic or a command name")
    .action((topic: string | undefined) => help(program, topic));
}

function help(program: Command, topic: string | undefined): void {
  if (topic === undefined) {
    console.log(program.helpInformation().trimEnd());
    console.log("\nTopics (dispatch help TOPIC):");
    const width = Math.max(...Object.keys(HELP_TOPICS).map((t) => t.length));
    for (const [name, { summary }] of Object.entries(HELP_TOPICS))
      console.log(`  ${name.padEnd(width)}  ${summary}`);
    return;
  }
  const page = HELP_TOPICS[topic];
  if (page) {
    console.log(page.text());
    return;
  }
  const command = program.commands.find((c) => c.name() === topic || c.aliases().includes(topic));
  if (command) {
    console.log(command.helpInformation().trimEnd());
    return;
  }
  const commands = program.commands.map((c) => c.name());
  const guess = closest(topic, [...Object.keys(HELP_TOPICS), ...commands]);
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
