/**
 * `dispatch revive NAME [--replay]`: start an ended session again as its kind does (a terminal
 * under its old screen, a chat continuing, a workspace on a fresh kernel). `--replay` asks a
 * workspace to re-run its successful evaluations in order; the CLI waits and reports them.
 */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { HubClient } from "../HubClient.js";
import { reviveRefusal } from "../kinds/registry.js";
import { waitForReplay } from "../kinds/workspace.js";
import { statusText } from "../sessionTable.js";

export function registerRevive(program: Command): void {
  program
    .command("revive")
    .description("start an ended session again (same command, cwd and size), keeping its screen")
    .argument("<name>", "session name")
    .option("--replay", "workspaces: re-run the evaluations that succeeded, in order, and report them")
    .action(async (name: string, options: { replay?: boolean }) => {
      const client = HubClient.locate();
      const ended = await client.getSession(name);
      // What the hub cannot see from where it is (an agent's removed worktree), said first.
      const refusal = isLiveStatus(ended.status) ? undefined : reviveRefusal(ended);
      if (refusal) throw new DispatchError("conflict", refusal);
      const before = options.replay ? ended.lastSeq : 0;
      const session = await client.reviveSession(name, options.replay ? { replay: true } : undefined);
      console.log(`${session.name}: ${statusText(session)}`);
      if (options.replay) {
        const replay = await waitForReplay(client, session.id, before);
        console.log(`replayed ${replay.ran} of ${replay.total} evaluations, ${replay.failed.length} failed`);
        for (const failure of replay.failed)
          console.log(`  failed: ${failure.code.split("\n")[0]}  (${failure.ename}: ${failure.evalue})`);
        if (replay.failed.length > 0) process.exitCode = 1;
      }
    });
}
