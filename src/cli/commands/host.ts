/**
 * `dispatch host --hub URL[,URL...] --token TOKEN [--name NAME] [--label k=v]...`: runs a remote
 * host in the foreground, dialing out to the hub (so it works from behind NAT) and redialing
 * forever. Several URLs (comma-separated or a repeated `--hub`) are the nodes of one cluster:
 * the host dials one and moves to the next when it drops. The token may also come from
 * DISPATCH_HOST_TOKEN (it then stays out of `ps`).
 */
import { hostname } from "node:os";
import type { Command } from "commander";
import { isValidName } from "../../core/names.js";
import { UsageError } from "../exitCodes.js";

export function registerHost(program: Command): void {
  program
    .command("host")
    .description("run a remote host: dial the hub, run its sessions here, keep them through disconnects")
    .option(
      "--hub <urls>",
      "the hub's URL (http://… or https://…; wss is used for https); a cluster's nodes: URL1,URL2,… or repeat --hub",
      collectHub,
      [],
    )
    .option("--token <token>", "host token from `dispatch hosts token create NAME` (or DISPATCH_HOST_TOKEN)")
    .option("--name <name>", "what this host calls itself (the hub names it after its token)")
    .option("--label <key=value>", "a label for this host (repeatable)", collectLabel, {})
    .action(runHost);
}

function collectHub(text: string, urls: string[]): string[] {
  return [...urls, text];
}

function collectLabel(text: string, labels: Record<string, string>): Record<string, string> {
  const eq = text.indexOf("=");
  if (eq <= 0) throw new UsageError(`invalid --label '${text}': use key=value`);
  return { ...labels, [text.slice(0, eq)]: text.slice(eq + 1) };
}

async function runHost(options: {
  hub: string[];
  token?: string;
  name?: string;
  label: Record<string, string>;
}): Promise<void> {
  const token = options.token ?? process.env.DISPATCH_HOST_TOKEN;
  if (!token) throw new UsageError("a host token is required: --token TOKEN or DISPATCH_HOST_TOKEN");
  const name = options.name ?? defaultName();
  if (!isValidName(name)) throw new UsageError(`invalid --name '${name}': use 1-32 of a-z, 0-9, '_' and '-'`);
  if (options.hub.length === 0) {
    throw new UsageError("a hub URL is required: --hub URL (a cluster's nodes: --hub URL1,URL2,URL3)");
  }
  // Loaded here: the host's dependencies (ws, node-pty) stay out of every other command.
  const { parseHubUrls } = await import("../../host/HubDialer.js");
  let hubUrls: string[];
  try {
    hubUrls = parseHubUrls(options.hub);
  } catch (err) {
    throw new UsageError(`invalid --hub: ${(err as Error).message}`);
  }
  const { runRemoteHost } = await import("../../host/remote.js");
  const target = hubUrls.length === 1 ? hubUrls[0] : `one of ${hubUrls.join(", ")}`;
  console.error(`dispatch host '${name}': dialing ${target} (Ctrl-C stops this host and its sessions)`);
  await runRemoteHost({ hubUrls, token, name, labels: options.label });
}

function defaultName(): string {
  return (
    hostname()
      .toLowerCase()
      .replace(/[^a-z0-9_-]/g, "-")
      .replace(/^[^a-z0-9]+/, "")
      .slice(0, 32) || "host"
  );
}
