/**
 * Which checkout of a project a hub session belongs to, so two clones (or worktrees) of one
 * repository can be up at once. A checkout is the directory of its project file; `up` tags each
 * session's declaration digest with it and with the project's declared name
 * (`DIGEST@CHECKOUT@NAME`). The first checkout up has the project's name and its sessions their
 * declared names; another one, while the name is held, gets the first free `NAME-2`, `NAME-3`, …
 * for the project and the same suffix on each session (`db-2`), skipping a suffix that would give
 * a session a name the project declares or another session holds, and keeps them for as long as
 * any of its sessions exists.
 */
import { createHash } from "node:crypto";
import { realpathSync } from "node:fs";
import { dirname, resolve, sep } from "node:path";
import { freeName } from "../../core/names.js";
import type { SessionInfo } from "../../protocol/session.js";
import type { ProjectFile } from "./projectFile.js";

/** The project file's directory, symlinks resolved. */
function checkoutDir(projectPath: string): string {
  const dir = dirname(resolve(projectPath));
  try {
    return realpathSync(dir);
  } catch {
    // Not there (a file about to be written): the path as given.
    return dir;
  }
}

/** A short digest of the project file's directory. */
export function checkoutOf(projectPath: string): string {
  return createHash("sha256").update(checkoutDir(projectPath)).digest("hex").slice(0, 8);
}

/** The declaration a session of this checkout of project `project` is created with. */
export function tagged(declaration: string, checkout: string, project: string): string {
  return `${declaration}@${checkout}@${project}`;
}

/** A declaration without its checkout: what `up` compares to tell whether it changed. */
export function untagged(declaration: string | undefined): string | undefined {
  return declaration?.split("@")[0];
}

/** The checkout a session was declared in; undefined for one tagged before checkouts were. */
function checkoutIn(session: SessionInfo): string | undefined {
  return session.declaration?.split("@")[1];
}

/**
 * The project name a session's file declares: `shop` for a session of `shop-2`, another checkout
 * of it. Undefined for one tagged before the name was (it is its project's own then, or unknown).
 */
function declaredProjectOf(session: SessionInfo): string | undefined {
  return session.declaration?.split("@")[2];
}

/** Whether a session is project `name`'s: by its name in the hub, or one of its checkouts'. */
export function inProject(session: SessionInfo, name: string): boolean {
  return session.project === name || (session.project != null && declaredProjectOf(session) === name);
}

/**
 * The project's name in the hub for this checkout: the one its sessions already have, else the
 * project's name or the first `NAME-N` no other checkout's session holds and whose suffix gives
 * no session a name already in use: `db-2` is not `db`'s when the project declares `db-2` too
 * (the first checkout runs it under that name), nor when a session outside the project has it.
 */
export function projectInHub(project: ProjectFile, existing: readonly SessionInfo[]): string {
  const checkout = checkoutOf(project.path);
  // Two project files in one directory are one checkout of two projects.
  const own = existing.find(
    (s) => s.project && checkoutIn(s) === checkout && (declaredProjectOf(s) ?? project.name) === project.name,
  );
  if (own?.project) return own.project;
  const dir = checkoutDir(project.path);
  const used = new Set([...project.sessions.map((s) => s.name), ...existing.map((s) => s.name)]);
  const collides = (name: string): boolean => {
    if (name === project.name) return false;
    const suffix = suffixOf(project.name, name);
    const names = project.sessions.map((s) => sessionInHub(s.name, suffix));
    // Cut to 32 characters, two long names could come out the same.
    return names.some((n) => used.has(n)) || new Set(names).size < names.length;
  };
  return freeName(
    project.name,
    (name) =>
      existing.some((s) => s.project === name && !isHere(s, project, checkout, dir)) || collides(name),
  );
}

/**
 * Whether a session is this checkout's. One tagged before checkouts were is, if it runs in the
 * checkout's directory or is declared here exactly as it runs; else it is taken for another
 * checkout's, and left alone rather than restarted here.
 */
function isHere(session: SessionInfo, project: ProjectFile, checkout: string, dir: string): boolean {
  const tag = checkoutIn(session);
  if (tag !== undefined) return tag === checkout;
  return (
    session.cwd === dir ||
    session.cwd.startsWith(`${dir}${sep}`) ||
    project.sessions.some((d) => d.name === session.name && d.declaration === session.declaration)
  );
}

/**
 * The project file as this checkout runs it in the hub: its project's name there, and each
 * session's name (and the names in `after`) with the checkout's suffix, if it has one.
 */
export function placedInHub(project: ProjectFile, name: string): ProjectFile {
  const suffix = suffixOf(project.name, name);
  const checkout = checkoutOf(project.path);
  const inHub = (declared: string) => sessionInHub(declared, suffix);
  return {
    ...project,
    name,
    sessions: project.sessions.map((s) => ({
      ...s,
      name: inHub(s.name),
      after: s.after.map(inHub),
      declaration: tagged(s.declaration, checkout, project.name),
    })),
  };
}

/** What a checkout's session names end with: "" for the first, `-2` for the project `NAME-2`. */
export function suffixOf(declared: string, inHub: string): string {
  return inHub === declared ? "" : inHub.slice(inHub.lastIndexOf("-"));
}

/** A declared session's name in the hub: `db`, or `db-2` in a second checkout. */
export function sessionInHub(declared: string, suffix: string): string {
  return suffix ? `${declared.slice(0, 32 - suffix.length)}${suffix}` : declared;
}
