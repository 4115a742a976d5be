/**
 * `dispatch use [NAME]`: set (or show) this CLI's current host; new sessions go there.
 * `dispatch use --project P`: set the current project (`dispatch ps`, the picker's order).
 */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { unknownNameMessage } from "../../core/names.js";
import { HubClient } from "../HubClient.js";
import {
  readHostContext,
  readProjectContext,
  writeHostContext,
  writeProjectContext,
} from "../hostContext.js";
import { HostsApi } from "../hostsApi.js";

export function registerUse(program: Command): void {
  program
    .command("use")
    .description("switch the current host (new sessions go there; `local` to go back) or project")
    .argument("[name]", "host name; without it (and without --project), print the current host and project")
    .option("-p, --project <name>", "switch the current project ('-' for none)")
    .action(use);
}

async function use(name: string | undefined, options: { project?: string }): Promise<void> {
  const client = HubClient.locate();
  if (options.project !== undefined) await useProject(client, options.project);
  if (name === undefined) {
    if (options.project === undefined) {
      console.log(readHostContext(client.paths) ?? "local");
      const project = readProjectContext(client.paths);
      if (project) console.log(`project ${project}`);
    }
    return;
  }
  // Checks the host exists (with a did-you-mean) before remembering it.
  const host = await new HostsApi(client).get(name);
  writeHostContext(client.paths, host.name);
  const note = host.status === "connected" ? "" : ` (${host.status} right now)`;
  console.log(`now using host ${host.name}${note}`);
}

async function useProject(client: HubClient, project: string): Promise<void> {
  if (project === "-") {
    writeProjectContext(client.paths, undefined);
    console.log("no current project");
    return;
  }
  const sessions = await client.listSessions();
  const projects = new Set(sessions.flatMap((s) => (s.project ? [s.project] : [])));
  if (!projects.has(project)) {
    throw new DispatchError(
      "not_found",
      `${unknownNameMessage("project", project, projects)}${projects.size > 0 ? ` (running: ${[...projects].join(", ")})` : "; bring one up with `dispatch up`"}`,
    );
  }
  writeProjectContext(client.paths, project);
  const count = sessions.filter((s) => s.project === project).length;
  console.log(`now using project ${project} (${count} session${count === 1 ? "" : "s"})`);
}
