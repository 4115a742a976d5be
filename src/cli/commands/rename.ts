/** `dispatch rename NAME NEW`: the id stays, the name changes. */
import type { Command } from "commander";
import { describeInvalidName, isValidName } from "../../core/names.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";

export function registerRename(program: Command): void {
  program
    .command("rename")
    .description("rename a session")
    .argument("<name>", "current name")
    .argument("<new>", "new name")
    .action(rename);
}

async function rename(name: string, newName: string): Promise<void> {
  if (!isValidName(newName)) throw new UsageError(describeInvalidName(newName));
  const session = await HubClient.locate().renameSession(name, newName);
  console.log(session.name);
}
