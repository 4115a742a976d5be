/**
 * `dispatch use [NAME]`: set (or show) this CLI's current host (new sessions go there) or, when
 * NAME is a workspace, its current image (`eval`, `inspect`, `transcript` without a name).
 * `dispatch use -` (or `--image -`): no current image; the host and project stay.
 * `dispatch use --image I`: the current image even where a host has the same name ('-': none).
 * `dispatch use --project P`: set the current project (`dispatch ps`, the picker's order).
 */
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { unknownNameMessage } from "../../core/names.js";
import { HUB_HOST_ID } from "../../protocol/hosts.js";
import { HubClient } from "../HubClient.js";
import {
  readHostContext,
  readProjectContext,
  writeHostContext,
  writeProjectContext,
} from "../hostContext.js";
import { HostsApi } from "../hostsApi.js";
import { currentImage, listImages, useImage } from "../imageContext.js";

export function registerUse(program: Command): void {
  program
    .command("use")
    .description(
      "switch the current host (new sessions go there; `local` to go back), image (a workspace) or project",
    )
    .argument(
      "[name]",
      "a host or an image (workspace session), or - for no image; without it, print the current host, image and project",
    )
    .option("-i, --image <name>", "switch the current image ('-' for none)")
    .option("-p, --project <name>", "switch the current project ('-' for none)")
    .action(use);
}

async function use(name: string | undefined, options: { project?: string; image?: string }): Promise<void> {
  const client = HubClient.locate();
  if (options.project !== undefined) await useProject(client, options.project);
  if (options.image !== undefined) await useImage(client, options.image);
  if (name === undefined) {
    if (options.project === undefined && options.image === undefined) {
      console.log(readHostContext(client.paths) ?? HUB_HOST_ID);
      const image = currentImage(client);
      if (image) console.log(`image ${image}`);
      const project = readProjectContext(client.paths);
      if (project) console.log(`project ${project}`);
    }
    return;
  }
  // `-` is no host's name (names start with a letter or digit): as documented, no image. The
  // host and project stay (`dispatch use local`, `dispatch use --project -` reset those).
  if (name === "-") return useImage(client, name);
  const [hosts, images] = await Promise.all([new HostsApi(client).list(), listImages(client)]);
  const host = hosts.find((h) => h.name === name || h.id === name);
  if (!host) {
    if (images.some((session) => session.name === name || session.id === name)) return useImage(client, name);
    const names = [...hosts.map((h) => h.name), ...images.map((session) => session.name)];
    throw new DispatchError(
      "not_found",
      `${unknownNameMessage("host or image", name, names)} (hosts: ${hosts.map((h) => h.name).join(", ") || "none"}; images: ${images.map((s) => s.name).join(", ") || "none"})`,
    );
  }
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
