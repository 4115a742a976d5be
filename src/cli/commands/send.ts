/** `dispatch send NAME [--enter] TEXT...`: input for a session without attaching. */
import type { Command } from "commander";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";

export function registerSend(program: Command): void {
  program
    .command("send")
    .description("type TEXT (words joined by spaces) into a session")
    .argument("<name>", "session name")
    .argument("[text...]", "text to type; put it after -- if it starts with -")
    .option("--enter", "press Enter after the text")
    .action(send);
}

async function send(name: string, text: string[], options: { enter?: boolean }): Promise<void> {
  if (text.length === 0 && !options.enter)
    throw new UsageError("nothing to send: give TEXT, --enter, or both");
  await HubClient.locate().input(name, text.join(" ") + (options.enter ? "\r" : ""));
}
