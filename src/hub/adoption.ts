/**
 * The record a session is adopted under: one its host runs but the hub has no record of (the
 * database was restored from a backup or recovered, or the host was pointed at a new hub). It
 * keeps what the host was told of the session (name, command, cwd, creation time, project, and
 * from host protocol 4 its kind options), so people find it as they left it and a revive starts
 * it as before; a host before host protocol 3 tells none of that, and its session gets a
 * made-up name.
 */
import { freeName, generateName, isValidName } from "../core/names.js";
import type { HostSessionState } from "../protocol/host.js";
import type { NewSession } from "./SessionDirectory.js";

export interface Adoption {
  record: NewSession;
  /** Why the session is not under the name its host gave (for the log and audit); absent when it is. */
  renamed?: string;
}

/** What the hub itself keeps in a record's `meta`, beside what the session's kind keeps there. */
const HUB_META_KEYS: ReadonlySet<string> = new Set(["adopted", "capabilities", "declaration"]);

/**
 * The kind's part of a record's `meta` (an agent's profile and worktree, a chat's settings, a
 * workspace's kernel): sent with each spawn for the host to keep (`SpawnSpec.kindOptions`).
 * After a revive it is the meta as of then, with what the kind's events had folded into it:
 * the adopted record shows that until the session's next events update it.
 */
export function kindOptionsOf(meta: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(meta).filter(([key]) => !HUB_META_KEYS.has(key)));
}

export function adoptedSession(
  hostId: string,
  state: HostSessionState,
  nameTaken: (name: string) => boolean,
): Adoption {
  const { name, renamed } = adoptedName(state.name, nameTaken);
  const { project } = state;
  return {
    record: {
      id: state.id,
      name,
      kind: state.kind,
      host: hostId,
      status: state.running ? "running" : "exited",
      exitCode: state.exitCode,
      cols: state.cols,
      rows: state.rows,
      pid: state.pid,
      foreground: state.foreground,
      ...(state.command ? { command: state.command } : {}),
      ...(state.cwd !== undefined ? { cwd: state.cwd } : {}),
      ...(state.createdAt !== undefined ? { createdAt: state.createdAt } : {}),
      project: project?.name ?? null,
      meta: {
        // First, so the hub's own keys below win over a host's claims.
        ...kindOptionsOf(state.kindOptions ?? {}),
        adopted: true,
        capabilities: state.capabilities,
        // `dispatch up` compares it to tell whether the project file's declaration changed.
        ...(project ? { declaration: project.declaration } : {}),
      },
    },
    ...(renamed ? { renamed } : {}),
  };
}

function adoptedName(
  wanted: string | undefined,
  nameTaken: (name: string) => boolean,
): { name: string; renamed?: string } {
  if (wanted === undefined) {
    return {
      name: generateName(nameTaken),
      renamed: "its host did not say its name (dispatch before host protocol 3)",
    };
  }
  if (!isValidName(wanted)) {
    // A release with other name rules: the session is kept, under a name this hub accepts.
    return { name: generateName(nameTaken), renamed: `'${wanted}' is not a valid name on this hub` };
  }
  const name = freeName(wanted, nameTaken);
  return name === wanted
    ? { name }
    : { name, renamed: `another session is named '${wanted}' (rename either with \`dispatch rename\`)` };
}
