/** `dispatch kill NAME [--signal SIG]`: ends a session's process (SIGHUP, like closing a terminal). */
import type { Command } from "commander";
import { UsageError } from "../exitCodes.js";
import { HubClient, type KillSignal } from "../HubClient.js";
import { statusText } from "../sessionTable.js";

const SIGNALS: readonly KillSignal[] = ["SIGHUP", "SIGTERM", "SIGKILL", "SIGINT", "SIGQUIT"];

export function registerKill(program: Command): void {
  program
    .command("kill")
    .description("end a session's process")
    .argument("<name>", "session name")
    .option("--signal <signal>", `signal to send: ${SIGNALS.join(", ")}`, "SIGHUP")
    .action(kill);
}

async function kill(name: string, options: { signal: string }): Promise<void> {
  const signal = options.signal.toUpperCase().replace(/^(?!SIG)/, "SIG") as KillSignal;
  if (!SIGNALS.includes(signal))
    throw new UsageError(`unknown signal '${options.signal}': use one of ${SIGNALS.join(", ")}`);
  const session = await HubClient.locate().killSession(name, signal);
  console.log(`${session.name}: ${statusText(session)}`);
}
