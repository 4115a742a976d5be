/**
 * The record a session is adopted under: one its host runs but the hub has no record of (the
 * database was restored from a backup or recovered, or the host was pointed at a new hub). It
 * keeps what the host was told of the session (name, command, cwd, creation time, project), so
 * people find it as they left it; a host before host protocol 3 tells none of that, and its
 * session gets a made-up name.
 */
import { freeName, generateName, isValidName } from "../core/names.js";
import type { HostSessionState } from "../protocol/host.js";
import type { NewSession } from "./SessionDirectory.js";

export interface Adoption {
  record: NewSession;
  /** Why the session is not under the name its host gave (for the log and audit); absent when it is. */
  renamed?: string;
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
