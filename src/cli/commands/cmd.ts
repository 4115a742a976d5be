/**
 * `dispatch cmd SESSION COMMAND [ARGS_JSON]`: runs one of the commands the session's kind
 * accepts (the hub's generic session command) and prints its result as JSON. The arguments
 * are one JSON value (`'{"code": "1+1"}'`, `42`, `'"text"'`); without them the command gets none.
 * Without COMMAND it lists the commands the session's kind accepts, as the hub describes them.
 */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { KindsBody } from "../../protocol/api.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { formatColumns } from "../sessionTable.js";

export function registerCmd(program: Command): void {
  program
    .command("cmd")
    .description("run a command of a session's kind; prints its result as JSON")
    .argument("<session>", "session name")
    .argument("[command]", "one of the commands the session's kind accepts (without it: lists them)")
    .argument("[args]", "the command's arguments as one JSON value (ARGS_JSON)")
    .action(cmd);
}

async function cmd(
  session: string,
  command: string | undefined,
  argsJson: string | undefined,
): Promise<void> {
  if (command === undefined) return listCommands(session);
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

/** The commands `session`'s kind accepts, one per line with what it does; exit 1 if it has none. */
async function listCommands(session: string): Promise<void> {
  const hub = HubClient.locate();
  const [info, { kinds }] = await Promise.all([
    hub.getSession(session),
    hub.call("GET", "/api/kinds").then((body) => KindsBody.parse(body)),
  ]);
  const commands = kinds.find((kind) => kind.name === info.kind)?.commands ?? [];
  if (commands.length === 0) {
    throw new DispatchError(
      "bad_request",
      `'${info.name}' is a ${info.kind} session, and ${info.kind} sessions have no commands`,
    );
  }
  const rows = commands.map((c) => [c.name, c.access, c.description]);
  console.log(formatColumns(["COMMAND", "ACCESS", "WHAT IT DOES"], rows, "  "));
}
