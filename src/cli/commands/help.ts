/** `dispatch help [TOPIC|COMMAND]`: the overview, a topic page, or a command's usage. */
import type { Command } from "commander";
import { UsageError } from "../exitCodes.js";
import { closest, HELP_TOPICS } from "../helpTopics.js";

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
  const known = [...Object.keys(HELP_TOPICS), ...program.commands.map((c) => c.name())];
  const guess = closest(topic, known);
  throw new UsageError(
    `no help topic or command '${topic}'${guess ? ` (did you mean ${guess}?)` : ""}; topics: ${Object.keys(HELP_TOPICS).join(", ")}`,
  );
}
