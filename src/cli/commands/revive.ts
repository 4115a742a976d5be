/** `dispatch revive NAME`: a new process for an ended terminal, its old screen restored above a marker. */
import type { Command } from "commander";
import { HubClient } from "../HubClient.js";
import { statusText } from "../sessionTable.js";

export function registerRevive(program: Command): void {
  program
    .command("revive")
    .description("start an ended terminal session again (same command, cwd and size), keeping its screen")
    .argument("<name>", "session name")
    .action(async (name: string) => {
      const session = await HubClient.locate().reviveSession(name);
      console.log(`${session.name}: ${statusText(session)}`);
    });
}
