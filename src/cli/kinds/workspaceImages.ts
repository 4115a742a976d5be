/**
 * Images like hosts (`hosts.ts`): the same three commands for live runtimes.
 *   dispatch images [--json]                 every kernel across hosts: status, health, state,
 *                                            memory, CPU, last activity; orphaned kernels too
 *   dispatch images stats [NAME] [--json]    one image (default: the current one, `dispatch use`)
 *   dispatch images cleanup [--host H]       stop orphaned kernels, remove stale connection files
 */
import type { Command } from "commander";
import { formatAge } from "../../core/duration.js";
import { isLiveStatus } from "../../core/liveness.js";
import { WORKSPACE, type WorkspaceState } from "../../kinds/workspace/index.js";
import type { Orphan } from "../../protocol/host.js";
import type { SessionInfo } from "../../protocol/session.js";
import { KernelStats } from "../../protocol/workspace/commands.js";
import { HubClient } from "../HubClient.js";
import { HostsApi } from "../hostsApi.js";
import { imageArguments } from "../imageContext.js";
import {
  bytesText,
  clip,
  formatBytes,
  MAX_STATUS_CHARS,
  statusText,
  storedBytesOf,
} from "../sessionTable.js";
import { sayBytesUnknown, storedSession } from "../storedBytes.js";

export function registerImages(program: Command): void {
  const images = program
    .command("images")
    .description("live runtimes (Jupyter kernels) across all hosts, orphaned ones too; stats and cleanup")
    .option("--json", "print JSON")
    .action(list);
  images
    .command("stats")
    .description("one image: kernel, state, health, memory, CPU, uptime, evaluations, last activity")
    .argument("[name]", "workspace session name (default: the current image)")
    .option("--json", "print JSON")
    .action(stats);
  images
    .command("cleanup")
    .description("stop orphaned kernels (whose session is gone) and remove stale connection files")
    .option("--host <name>", "only this host (default: every connected host)")
    .action(cleanup);
}

/** One row of `dispatch images`; field names are stable (`--json`). */
export interface ImageRow {
  /** The workspace session; null for an orphaned kernel no session holds. */
  session: string | null;
  kernel: string;
  language: string;
  host: string;
  /**
   * A live session's kernel connection: connected, disconnected, reconnecting (its host is
   * away), failed. An ended session: its status as `dispatch ls` says it (`exited (host lost)`,
   * `exited (0)`, `orphaned`). `orphaned` with no session: a kernel no session holds.
   */
  status: string;
  health: string;
  execution: string;
  pid: number | null;
  memory: number | null;
  cpuPercent: number | null;
  lastActivityAt: number | null;
  sessions: string[];
}

const isLive = (session: SessionInfo) =>
  (session.status === "running" || session.status === "starting") && session.reachable !== false;

async function kernelStats(client: HubClient, session: SessionInfo): Promise<KernelStats | undefined> {
  if (!isLive(session)) return undefined;
  return client
    .command(session.id, "stats", {})
    .then((answer) => KernelStats.parse(answer))
    .catch(() => undefined);
}

function imageRow(session: SessionInfo, live: KernelStats | undefined): ImageRow {
  const state = (session.options ?? {}) as Partial<WorkspaceState>;
  // Once the session has ended its kernel is gone, however it ended (a host lost never said
  // so): the row says what `ls` says, and the pid it had means nothing any more.
  const ended = !isLiveStatus(session.status);
  return {
    session: session.name,
    kernel: state.kernel ?? "?",
    language: state.language ?? "?",
    host: session.host,
    status: ended
      ? statusText(session)
      : session.reachable === false
        ? "reconnecting"
        : (state.connection ?? "disconnected"),
    health: state.health ?? "ok",
    execution: state.execution ?? "starting",
    pid: ended ? null : (live?.pid ?? state.pid ?? null),
    memory: live?.rss ?? null,
    cpuPercent: live?.cpuPercent ?? null,
    lastActivityAt: session.lastActivityAt,
    sessions: [session.name],
  };
}

function orphanRow(orphan: Orphan, host: string, sessions: readonly SessionInfo[]): ImageRow {
  const former = sessions.find((session) => session.id === orphan.session);
  return {
    session: null,
    kernel: orphan.name ?? "?",
    language: "?",
    host,
    status: "orphaned",
    health: "-",
    execution: "-",
    pid: orphan.pid,
    memory: orphan.rss,
    cpuPercent: null,
    lastActivityAt: null,
    sessions: former ? [former.name] : [],
  };
}

/** Every connected host's orphans; a host that cannot answer is left out. */
async function hostOrphans(client: HubClient, only?: string): Promise<{ host: string; orphans: Orphan[] }[]> {
  const api = new HostsApi(client);
  const hosts = (await api.list()).filter(
    (host) => host.status === "connected" && (only === undefined || host.name === only || host.id === only),
  );
  return Promise.all(
    hosts.map(async (host) => ({
      host: host.id,
      orphans: (await api.orphans(host.id, false).catch(() => ({ orphans: [] }))).orphans,
    })),
  );
}

async function list(options: { json?: boolean }): Promise<void> {
  const client = HubClient.locate();
  const sessions = await client.listSessions();
  const workspaces = sessions.filter((session) => session.kind === WORKSPACE);
  const [rows, orphaned] = await Promise.all([
    Promise.all(workspaces.map(async (session) => imageRow(session, await kernelStats(client, session)))),
    hostOrphans(client),
  ]);
  const files: string[] = [];
  for (const { host, orphans } of orphaned)
    for (const orphan of orphans) {
      if (orphan.pid !== null) rows.push(orphanRow(orphan, host, sessions));
      else files.push(`${host}: ${orphan.description}`);
    }
  if (options.json) {
    console.log(JSON.stringify(rows, null, 2));
    return;
  }
  if (rows.length === 0 && files.length === 0) {
    console.log("no images; start one with `dispatch new --kernel python3`");
    return;
  }
  console.log(formatImageTable(rows));
  const orphans = rows.filter((row) => row.session === null).length;
  if (orphans > 0 || files.length > 0)
    console.error(
      `${orphans} orphaned kernel(s), ${files.length} stale connection file(s): \`dispatch images cleanup\` removes them`,
    );
}

export function formatImageTable(rows: readonly ImageRow[], now = Date.now()): string {
  const table = [
    ["SESSION", "KERNEL", "LANGUAGE", "HOST", "STATUS", "HEALTH", "STATE", "PID", "MEMORY", "CPU", "ACTIVE"],
    ...rows.map((row) => [
      row.session ?? (row.sessions.length > 0 ? `(${row.sessions.join(",")})` : "-"),
      row.kernel,
      row.language,
      row.host,
      // A failed session's reason can be a whole message; `--json` has all of it.
      clip(row.status, MAX_STATUS_CHARS),
      row.health,
      row.execution,
      row.pid === null ? "-" : String(row.pid),
      row.memory === null ? "-" : formatBytes(row.memory),
      row.cpuPercent === null ? "-" : `${row.cpuPercent}%`,
      row.lastActivityAt === null ? "-" : `${formatAge(now - row.lastActivityAt)} ago`,
    ]),
  ];
  const widths =
    table[0]?.map((_, column) => Math.max(...table.map((line) => (line[column] ?? "").length))) ?? [];
  return table
    .map((line) =>
      line
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

async function stats(name: string | undefined, options: { json?: boolean }, command: Command): Promise<void> {
  const client = HubClient.locate();
  const image =
    name ??
    (await imageArguments(client, { first: undefined, second: undefined, verb: "images stats" })).image;
  // `stored` is what `dispatch ls` shows as BYTES: the bytes the log holds, `?` while unknown.
  const { session, unknown } = await storedSession(client, image);
  sayBytesUnknown("stored", unknown);
  const live = await kernelStats(client, session);
  const state = (session.options ?? {}) as Partial<WorkspaceState>;
  const result = {
    ...imageRow(session, live),
    implementation: state.implementation ?? null,
    cpuSeconds: live?.cpuSeconds ?? null,
    startedAt: live?.startedAt ?? null,
    lastEvaluationAt: live?.lastEvaluationAt ?? null,
    evaluations: state.evaluations ?? 0,
    queued: live?.queued ?? null,
    storedBytes: unknown ? null : storedBytesOf(session),
  };
  // `images` has its own --json, which commander hands the parent when it follows the subcommand.
  if (options.json || command.parent?.opts().json) {
    console.log(JSON.stringify(result, null, 2));
    return;
  }
  const now = Date.now();
  const ago = (at: number | null) => (at === null ? "never" : `${formatAge(now - at)} ago`);
  console.log(
    [
      `image            ${session.name}`,
      `kernel           ${result.kernel} (${result.language}${result.implementation ? `, ${result.implementation}` : ""})`,
      `host             ${result.host}`,
      `status           ${result.status}`,
      `health           ${result.health}`,
      `state            ${result.execution}`,
      `pid              ${result.pid ?? "-"}`,
      `memory           ${result.memory === null ? "-" : formatBytes(result.memory)}`,
      `cpu              ${result.cpuSeconds === null ? "-" : `${result.cpuSeconds.toFixed(2)} s`}${result.cpuPercent === null ? "" : ` (${result.cpuPercent}% lately)`}`,
      `up since         ${result.startedAt === null ? "-" : ago(result.startedAt)}`,
      `evaluations      ${result.evaluations}${result.queued ? ` (${result.queued} waiting their turn)` : ""}`,
      `last evaluation  ${ago(result.lastEvaluationAt)}`,
      `last activity    ${ago(result.lastActivityAt)}`,
      `stored           ${bytesText(session, { bytesUnknown: unknown !== undefined })}`,
    ].join("\n"),
  );
}

async function cleanup(options: { host?: string }): Promise<void> {
  const client = HubClient.locate();
  const api = new HostsApi(client);
  const hosts =
    options.host !== undefined
      ? [(await api.get(options.host)).id]
      : (await api.list()).filter((host) => host.status === "connected").map((host) => host.id);
  let removed = 0;
  for (const host of hosts) {
    try {
      const report = await api.orphans(host, true);
      for (const orphan of report.orphans) console.log(`${host}: removed ${orphan.description}`);
      removed += report.orphans.length;
    } catch (err) {
      // One host that cannot answer (away, or too old to know `orphans`) leaves the others to clean.
      console.error(`${host}: ${err instanceof Error ? err.message : String(err)}`);
      process.exitCode = 1;
    }
  }
  if (removed === 0 && !process.exitCode)
    console.error(`no orphaned kernels on ${hosts.join(", ") || "any connected host"}`);
}
