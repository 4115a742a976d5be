/** `dispatch gc [--older-than DUR]`: removes ended sessions and their history. */
import type { Command } from "commander";
import { parseDuration } from "../../core/duration.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";

export function registerGc(program: Command): void {
  program
    .command("gc")
    .description("remove ended sessions (exited, failed) and their history")
    .option("--older-than <duration>", "only those idle at least this long, e.g. 30m, 24h, 7d")
    .action(async (options: { olderThan?: string }) => {
      if (options.olderThan) {
        try {
          parseDuration(options.olderThan);
        } catch (err) {
          throw new UsageError((err as Error).message);
        }
      }
      const removed = await HubClient.locate().gc(options.olderThan);
      console.log(
        removed.length === 0 ? "nothing to remove" : `removed ${removed.length}: ${removed.join(", ")}`,
      );
    });
}
