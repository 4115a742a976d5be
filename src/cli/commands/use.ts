/** `dispatch use [NAME]`: set (or show) this CLI's current host; new sessions go there. */
import type { Command } from "commander";
import { HubClient } from "../HubClient.js";
import { readHostContext, writeHostContext } from "../hostContext.js";
import { HostsApi } from "../hostsApi.js";

export function registerUse(program: Command): void {
  program
    .command("use")
    .description("switch the current host: new sessions go there by default (`local` to go back)")
    .argument("[name]", "host name; without it, print the current host")
    .action(use);
}

async function use(name: string | undefined): Promise<void> {
  const client = HubClient.locate();
  if (name === undefined) {
    console.log(readHostContext(client.paths) ?? "local");
    return;
  }
  // Checks the host exists (with a did-you-mean) before remembering it.
  const host = await new HostsApi(client).get(name);
  writeHostContext(client.paths, host.name);
  const note = host.status === "connected" ? "" : ` (${host.status} right now)`;
  console.log(`now using host ${host.name}${note}`);
}
