/**
 * `dispatch up`: makes the hub run what the project file declares. Kinds and hosts are checked
 * against the hub's own lists; then every session is handled at once, each waiting only for
 * the sessions it names in `after` (and their `ready` pattern). A session that cannot come up
 * is reported and its dependents skipped; the rest of the project comes up regardless.
 * `up NAME...` handles only the named sessions and those they wait for, and stops nothing.
 */
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { unknownNameMessage } from "../../core/names.js";
import { KindsBody } from "../../protocol/api.js";
import type { HostView } from "../../protocol/hosts.js";
import type { SessionInfo } from "../../protocol/session.js";
import { type DispatchConfig, loadConfig } from "../config.js";
import { UsageError } from "../exitCodes.js";
import type { HubClient } from "../HubClient.js";
import { HostsApi } from "../hostsApi.js";
import type { LeftBehind } from "../kinds/cliKind.js";
import { declaredSession } from "../kinds/registry.js";
import { placedInHub, projectInHub } from "./checkout.js";
import { findCycles, withDependencies } from "./dependencies.js";
import { planUp, type Step } from "./plan.js";
import type { DeclaredSession, ProjectFile } from "./projectFile.js";
import { waitForReady } from "./readiness.js";
import { replaceSession } from "./replaceSession.js";
import { stopProjectSession } from "./stopSession.js";

export type Did =
  | "created"
  | "unchanged"
  | "started"
  | "restarted"
  | "stopped"
  | "failed"
  | "skipped"
  /** Running, but its `ready` pattern did not appear within `ready_timeout`. */
  | "not ready"
  /** The name belongs to a session outside the project, which is left alone. */
  | "taken";

export interface UpRow {
  name: string;
  kind: string;
  host: string;
  did: Did;
  /** The session as it stands afterwards, when there is one. */
  session?: SessionInfo;
  /** Why it failed or was skipped. */
  error?: string;
  /** What a session no longer declared left on disk when it was stopped (an agent's worktree). */
  left?: LeftBehind;
}

export interface UpOptions {
  /** Only these sessions (and what they wait for); none stopped. Checked by the caller. */
  only?: readonly string[];
}

export interface UpResult {
  /** The project's name in the hub: its own, or `NAME-2`... for another checkout of it. */
  project: string;
  rows: UpRow[];
}

export async function bringUp(
  hub: HubClient,
  file: ProjectFile,
  { only }: UpOptions = {},
): Promise<UpResult> {
  const chosen = only ? withDependencies(file.sessions, only).selected : file.sessions;
  checkKinds(file, chosen, KindsBody.parse(await hub.call("GET", "/api/kinds")).kinds);
  const [hosts, existing] = await Promise.all([new HostsApi(hub).list(), hub.listSessions()]);
  // From here on, names are the hub's: this checkout's, beside any other checkout's.
  const project = placedInHub(file, projectInHub(file, existing));
  const selected = chosen.map((s) => project.sessions[file.sessions.indexOf(s)] as DeclaredSession);
  const plan = planUp({ project: project.name, declared: project.sessions, existing });
  const cycles = findCycles(project.sessions);
  // Read once, and only when a kind needs it (an agent's profile, a chat's provider).
  let loaded: DispatchConfig | undefined;
  const config = () => {
    loaded ??= loadConfig();
    return loaded;
  };
  const rows = new Map<string, UpRow>();
  const done = new Map<string, Promise<boolean>>();
  const bring = async (declared: DeclaredSession): Promise<boolean> => {
    const row: UpRow = { name: declared.name, kind: declared.kind, host: declared.host, did: "failed" };
    rows.set(declared.name, row);
    const cycle = cycles.get(declared.name);
    if (cycle) {
      row.error = `${at(project, declared, "after")}: 'after' goes round in a cycle (${cycle}); not started`;
      return false;
    }
    const step = plan.steps.get(declared.name) as Step;
    if (step.type === "conflict") {
      // Not this project's session: its status would read as this row's.
      row.did = "taken";
      row.error = `${at(project, declared, "name")}: ${step.message}`;
      return false;
    }
    for (const other of declared.after) {
      if (!(await done.get(other))) {
        row.did = "skipped";
        row.error = `${at(project, declared, "after")}: waits for '${other}', which did not come up`;
        return false;
      }
    }
    let watching = false;
    try {
      row.did = await carryOut(hub, { project, declared, step, hosts, config });
      // A session left running counts as ready: its start was watched by an earlier `up`, and
      // finding the line again could mean reading its whole history.
      if (declared.ready && row.did !== "unchanged") {
        watching = true;
        await waitForReady(hub, {
          session: declared.name,
          pattern: declared.ready,
          timeoutMs: declared.readyTimeoutMs,
          // Started again: only what the new process prints counts.
          afterSeq: step.type === "start" && row.did === "started" ? step.session.lastSeq : 0,
        });
      }
      row.session = await hub.getSession(declared.name);
      return true;
    } catch (err) {
      row.error = located(project, declared, err, watching);
      row.session = await hub.getSession(declared.name).catch(() => undefined);
      // Up and running, only its ready line did not come in time: not a failure to start.
      if (watching && row.session && isLiveStatus(row.session.status)) row.did = "not ready";
      return false;
    }
  };
  // Every session's promise exists before any awaits another's.
  let release!: () => void;
  const start = new Promise<void>((resolve) => {
    release = resolve;
  });
  for (const declared of selected)
    done.set(
      declared.name,
      start.then(() => bring(declared)),
    );
  const stopped = (only ? [] : plan.undeclared).map(async (session): Promise<UpRow> => {
    const row: UpRow = { name: session.name, kind: session.kind, host: session.host, did: "stopped" };
    try {
      const { left } = await stopProjectSession(hub, session, { keepHistory: false, removeWorktrees: false });
      if (left) row.left = left;
    } catch (err) {
      row.did = "failed";
      row.error = `no longer declared, but could not be stopped: ${err instanceof Error ? err.message : String(err)}`;
    }
    return row;
  });
  release();
  await Promise.all(done.values());
  const ordered = selected.map((s) => rows.get(s.name) as UpRow);
  return { project: project.name, rows: [...ordered, ...(await Promise.all(stopped))] };
}

/** An unknown kind is a mistake in the file: nothing starts until it is fixed. */
function checkKinds(
  project: ProjectFile,
  sessions: readonly DeclaredSession[],
  kinds: KindsBody["kinds"],
): void {
  const names = kinds.map((k) => k.name);
  const problems = sessions
    .filter((s) => !names.includes(s.kind))
    .map((s) => {
      const line = project.lines.lineOf(["session", project.sessions.indexOf(s), "kind"]);
      const where = `${project.path}${line ? `:${line}` : ""}`;
      const meant = kinds.find((k) => k.alsoCalled?.includes(s.kind.toLowerCase()));
      if (meant)
        return `${where}: no session kind '${s.kind}': its sessions are of kind '${meant.name}' (kind = "${meant.name}")`;
      return `${where}: ${unknownNameMessage("session kind", s.kind, names)} (this hub has: ${names.join(", ")})`;
    });
  if (problems.length > 0) throw new UsageError(problems.join("\n"));
}

interface StepContext {
  project: ProjectFile;
  declared: DeclaredSession;
  step: Step;
  hosts: readonly HostView[];
  config: () => DispatchConfig;
}

async function carryOut(
  hub: HubClient,
  { project, declared, step, hosts, config }: StepContext,
): Promise<Did> {
  if (step.type === "conflict") throw new DispatchError("conflict", step.message);
  if (step.type === "keep") return "unchanged";
  const host = requireHost(hosts, declared, project);
  if (step.type === "start") {
    try {
      await hub.reviveSession(step.session.id);
      return "started";
    } catch (err) {
      // Kinds that cannot revive start afresh under the same name.
      if (!(err instanceof DispatchError && err.code === "bad_request")) throw err;
    }
  }
  // Before anything stops: a declaration that cannot be resolved leaves the session as it is.
  const fields = resolve(project, declared, host, config);
  const create = () =>
    hub.createSession({
      name: declared.name,
      kind: declared.kind,
      ...(fields.command.length > 0 ? { command: fields.command } : {}),
      cwd: fields.cwd,
      env: fields.env,
      host: host.id,
      ...(fields.options ? { options: fields.options } : {}),
      project: { name: project.name, declaration: declared.declaration },
    });
  // A refused create must not cost the session it replaces.
  if (step.type === "create") await create();
  else await replaceSession(hub, step.session, create);
  return step.type === "create" ? "created" : step.type === "start" ? "started" : "restarted";
}

/** The declaration as its kind resolves it (an agent's profile), a mistake said at its line. */
function resolve(
  project: ProjectFile,
  declared: DeclaredSession,
  host: HostView,
  config: () => DispatchConfig,
) {
  try {
    return declaredSession(declared.kind, { ...declared, runsOn: host }, config);
  } catch (err) {
    if (!(err instanceof DispatchError || err instanceof UsageError)) throw err;
    throw new DispatchError(
      "bad_request",
      `${at(project, declared, "options")}: ${err.message}; '${declared.name}' was not started`,
    );
  }
}

/** The session's host must exist and be connected; said with the line that names it. */
function requireHost(hosts: readonly HostView[], declared: DeclaredSession, project: ProjectFile): HostView {
  const host = hosts.find((h) => h.name === declared.host || h.id === declared.host);
  const where = at(project, declared, "host");
  if (!host) {
    throw new DispatchError(
      "not_found",
      `${where}: ${unknownNameMessage(
        "host",
        declared.host,
        hosts.map((h) => h.name),
      )}; '${declared.name}' was not started`,
    );
  }
  if (host.status !== "connected") {
    throw new DispatchError(
      "host_unavailable",
      `${where}: host '${host.name}' is ${host.status}; '${declared.name}' was not started (run \`dispatch up\` again once it is back)`,
    );
  }
  return host;
}

/**
 * An error the hub or host gave for a declared session, said at the line of the key it is about
 * (the `ready` pattern waited for; the request field the hub or host names, `cwd`, `env.BIG`),
 * else at the session's table, as the file's own mistakes are: what to fix is in the file.
 */
function located(project: ProjectFile, declared: DeclaredSession, err: unknown, waiting: boolean): string {
  const message = err instanceof Error ? err.message : String(err);
  // Said at its line already (`resolve`, `requireHost`).
  if (message.startsWith(`${project.path}:`)) return message;
  // A request field is the file's key of that name: `env.BIG` is written under `env`.
  const field = err instanceof DispatchError ? err.field?.split(/[.[]/)[0] : undefined;
  const key = waiting ? "ready" : field !== undefined && REQUEST_KEYS.includes(field) ? field : undefined;
  return `${at(project, declared, key)}: ${message}`;
}

/** The keys of a session's table that go to the hub as the create request's fields of that name. */
const REQUEST_KEYS = ["name", "kind", "command", "cwd", "env", "host", "options"];

/** `file:line` of the session's table, or of one of its keys when written. */
function at(project: ProjectFile, declared: DeclaredSession, key?: string): string {
  const line = key ? project.lines.lineOf(["session", project.sessions.indexOf(declared), key]) : undefined;
  return `${project.path}:${line ?? declared.line}`;
}
