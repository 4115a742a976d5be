/**
 * `dispatch hosts [--json]`: every host with status, health, RTT, last seen and session counts.
 * `dispatch hosts stats NAME [--json]`, `dispatch hosts cleanup NAME [--orphaned] [--exited]
 * [--older-than DUR] [--force]`, `dispatch hosts token create|revoke NAME`.
 */
import type { Command } from "commander";
import { formatAge, parseDuration } from "../../core/duration.js";
import type { HostStats, HostView } from "../../protocol/hosts.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { HostsApi } from "../hostsApi.js";
import { formatBytes, formatColumns } from "../sessionTable.js";
import { sayBytesUnknown } from "../storedBytes.js";

const api = () => new HostsApi(HubClient.locate());

export function registerHosts(program: Command): void {
  const hosts = program
    .command("hosts")
    .description("list hosts with their connection status and health; manage host tokens and cleanup")
    .option("--json", "print the hosts as a JSON array (stable field names)")
    .action(list);
  hosts
    .command("stats")
    .description("session stats of one host: total, running, exited, orphaned, stored bytes, last activity")
    .argument("<name>", "host name")
    .option("--json", "print as JSON")
    .action(stats);
  hosts
    .command("cleanup")
    .description("remove a host's orphaned and ended sessions (running ones only with --force)")
    .argument("<name>", "host name")
    .option("--orphaned", "only orphaned sessions")
    .option("--exited", "only ended sessions (exited, failed)")
    .option("--older-than <duration>", "only sessions idle longer than this, e.g. 2h, 7d")
    .option("--force", "also stop and remove running sessions")
    .action(cleanup);
  const token = hosts.command("token").description("create or revoke a remote host's token");
  token
    .command("create")
    .description("create the token a remote host dials in with; printed once, only its hash is kept")
    .argument("<name>", "host name (1-32 of a-z, 0-9, '_' and '-')")
    .action(async (name: string) => {
      const client = HubClient.locate();
      const { token } = await new HostsApi(client).createToken(name);
      console.log(token);
      // The real command, ready to paste on the remote machine (a loopback URL needs a tunnel).
      // On a cluster it names every live node, so the host re-dials another when its node dies.
      const cluster = (await client.status().catch(() => undefined))?.cluster;
      const hubs = cluster?.nodes.filter((n) => n.alive).map((n) => n.url) ?? [client.url];
      console.error(
        `start the host with:\n  dispatch host --hub ${hubs.join(",")} --token ${token} --name ${name}`,
      );
    });
  token
    .command("revoke")
    .description("revoke a host's token: its link is cut at once and it cannot reconnect")
    .argument("<name>", "host name")
    .action(async (name: string) => {
      const result = await api().revokeToken(name);
      console.log(`revoked the token of host ${name}${result.disconnected ? "; it was disconnected" : ""}`);
    });
}

async function list(options: { json?: boolean }): Promise<void> {
  const hosts = await api().list();
  if (options.json) console.log(JSON.stringify(hosts, null, 2));
  else console.log(formatHostTable(hosts));
}

async function stats(name: string, options: { json?: boolean }, command: Command): Promise<void> {
  const result = await api().stats(name);
  sayBytesUnknown("stored", result.unknown);
  // `hosts` has its own --json, which commander hands the parent when it follows the subcommand.
  if (options.json || command.parent?.opts().json) console.log(JSON.stringify(result, null, 2));
  else console.log(formatStats(result));
}

async function cleanup(
  name: string,
  options: { orphaned?: boolean; exited?: boolean; olderThan?: string; force?: boolean },
): Promise<void> {
  if (options.olderThan !== undefined) {
    try {
      parseDuration(options.olderThan);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const result = await api().cleanup(name, {
    orphaned: options.orphaned === true,
    exited: options.exited === true,
    ...(options.olderThan !== undefined ? { olderThan: options.olderThan } : {}),
    force: options.force === true,
  });
  for (const session of result.removed) console.log(`removed ${session.name} (${session.status})`);
  for (const session of result.kept) console.log(`kept ${session.name}: ${session.why}`);
  if (result.removed.length === 0 && result.kept.length === 0)
    console.error(`nothing to clean up on ${name}`);
}

export function formatHostTable(hosts: readonly HostView[], now = Date.now()): string {
  const headers = [
    "NAME",
    "STATUS",
    "HEALTH",
    "RTT",
    "LAST SEEN",
    "SESSIONS",
    "RUNNING",
    "ORPHANED",
    "HOSTNAME",
  ];
  const rows = hosts.map((h) => [
    h.name,
    h.status,
    h.health,
    h.rttMs === null ? "-" : `${Math.round(h.rttMs)}ms`,
    h.status === "connected" ? "now" : h.lastSeen === null ? "never" : `${formatAge(now - h.lastSeen)} ago`,
    String(h.sessions.total),
    String(h.sessions.running),
    String(h.sessions.orphaned),
    h.hostname ?? "-",
  ]);
  return formatColumns(headers, rows, "  ");
}

function formatStats(stats: HostStats, now = Date.now()): string {
  const last = stats.lastActivityAt === null ? "never" : `${formatAge(now - stats.lastActivityAt)} ago`;
  return [
    `host           ${stats.host}`,
    `sessions       ${stats.total}`,
    `running        ${stats.running}`,
    `exited         ${stats.exited}`,
    `orphaned       ${stats.orphaned}`,
    `stored         ${stats.storedBytes === undefined ? "?" : formatBytes(stats.storedBytes)}`,
    `last activity  ${last}`,
  ].join("\n");
}
