/** `dispatch status [--json]`: hub and host up or down, pids, port, data dir, storage, backups, session counts. */
import type { Command } from "commander";
import { VERSION } from "../../core/version.js";
import type { ClusterStatus, StatusBody } from "../../protocol/api.js";
import { backupReport } from "../backupReport.js";
import { HubClient } from "../HubClient.js";
import { runningHostPid } from "../hubFiles.js";
import { formatBytes } from "../sessionTable.js";

export function registerStatus(program: Command): void {
  program
    .command("status")
    .description("show whether the hub and host run, their pids and port, and session counts")
    .option("--json", "print JSON: {hub: {running, pid, port}, host: {running, pid}, sessions: {...}, ...}")
    .action(status);
}

async function status(options: { json?: boolean }): Promise<void> {
  const client = HubClient.locate();
  const running = await client.health();
  const body: StatusBody = running ? await client.status() : offlineStatus(client);
  if (options.json) {
    console.log(JSON.stringify(body, null, 2));
    return;
  }
  const { hub, host, sessions } = body;
  const rss = (value: number | undefined) => (value === undefined ? "" : `  ${formatBytes(value)} RSS`);
  console.log(
    hub.running ? `hub       running  pid ${hub.pid}  ${client.url}${rss(hub.rss)}` : "hub       stopped",
  );
  if (body.cluster) console.log("host      none here: a cluster node's hosts dial in (`dispatch hosts`)");
  else console.log(host.running ? `host      running  pid ${host.pid}${rss(host.rss)}` : "host      stopped");
  console.log(
    hub.running
      ? `sessions  ${sessions.total} (${sessions.running} running, ${sessions.exited} exited)`
      : "sessions  unknown while the hub is stopped",
  );
  if (body.dataDir) console.log(`data dir  ${body.dataDir}`);
  if (body.store) console.log(`store     ${body.store.engine}  ${body.store.location}`);
  if (body.storage && !body.storage.ok) console.log(`storage   FAILING: ${body.storage.problem}`);
  else if (body.storage) console.log("storage   ok");
  if (body.backups) {
    const report = backupReport(body.backups);
    console.log(`backups   ${report.what}`);
    if (report.detail) console.log(`          ${report.detail}`);
  } else if (hub.running && body.store?.engine === "sqlite") {
    console.log("backups   no periodic backups (set DISPATCH_BACKUP_EVERY, e.g. 6h)");
  }
  if (body.cluster) printCluster(body.cluster);
}

/** One line per node: alive or dead, where it listens, its clients and the hosts it owns. */
function printCluster(cluster: ClusterStatus): void {
  const alive = cluster.nodes.filter((node) => node.alive).length;
  console.log(`cluster   node ${cluster.node}; ${alive} of ${cluster.nodes.length} nodes alive`);
  for (const node of cluster.nodes) {
    const self = node.id === cluster.node ? " (this node)" : "";
    const hosts = node.hosts.length > 0 ? node.hosts.join(", ") : "none";
    console.log(
      `  ${node.id.padEnd(12)} ${node.alive ? "alive" : "DEAD "}  ${node.url}  clients ${node.clients}  hosts ${hosts}${self}`,
    );
  }
}

/** Built from pid files while the hub is down; session counts need the hub, so they are zero. */
function offlineStatus(client: HubClient): StatusBody {
  const hostPid = runningHostPid(client.paths) ?? null;
  return {
    hub: { running: false, pid: null, port: null },
    host: { running: hostPid !== null, pid: hostPid },
    sessions: { total: 0, running: 0, exited: 0 },
    dataDir: client.paths.home,
    version: VERSION,
  };
}
