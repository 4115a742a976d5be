/**
 * `dispatch cmd SESSION COMMAND [ARGS_JSON]`: runs one of the commands the session's kind
 * accepts (the hub's generic session command) and prints its result as JSON. The arguments
 * are one JSON value (`'{"code": "1+1"}'`, `42`, `'"text"'`); without them the command gets none.
 */
import type { Command } from "commander";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";

export function registerCmd(program: Command): void {
  program
    .command("cmd")
    .description("run a command of a session's kind; prints its result as JSON")
    .argument("<session>", "session name")
    .argument("<command>", "one of the commands the session's kind accepts")
    .argument("[args]", "the command's arguments as one JSON value (ARGS_JSON)")
    .action(cmd);
}

async function cmd(session: string, command: string, argsJson: string | undefined): Promise<void> {
  const args = argsJson === undefined ? undefined : parseArgsJson(argsJson);
  const result = await HubClient.locate().command(session, command, args);
  console.log(JSON.stringify(result, null, 2));
}

/** ARGS_JSON as a value; a usage error saying why when it is not JSON. */
export function parseArgsJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new UsageError(`ARGS_JSON is not valid JSON: ${(err as Error).message}`);
  }
}
