/**
 * Who may do what, in one table: each action needs a least role, held globally or, for a
 * session's actions, on that session (a grant or a share link). Pure: the caller supplies the
 * principal and the role it holds on the session.
 */
import { DispatchError } from "../core/errors.js";
import type { Principal, Role } from "../protocol/people.js";

/** Actions on one session. */
export type SessionAction =
  | "read"
  | "input"
  | "resize"
  | "rename"
  | "kill"
  | "revive"
  | "command"
  | "control"
  | "share";
/** Actions on the hub as a whole. */
export type HubAction =
  | "list"
  | "create"
  | "browse"
  | "gc"
  | "people"
  | "hosts"
  | "audit"
  | "storage"
  | "metrics";
export type Action = SessionAction | HubAction;

const RANK: Record<Role, number> = { viewer: 1, writer: 2, owner: 3 };

/** The least role each action needs, and how a refusal names it. */
const NEEDS: Record<Action, { role: Role; verb: string }> = {
  read: { role: "viewer", verb: "watch" },
  input: { role: "writer", verb: "type into" },
  resize: { role: "writer", verb: "resize" },
  rename: { role: "writer", verb: "rename" },
  kill: { role: "writer", verb: "kill" },
  revive: { role: "writer", verb: "revive" },
  command: { role: "writer", verb: "run commands in" },
  // A kind's verb that loses what the session holds (a kernel's restart): as destructive as kill.
  control: { role: "writer", verb: "run its kind's controlling commands in" },
  share: { role: "owner", verb: "share" },
  list: { role: "viewer", verb: "list sessions" },
  create: { role: "writer", verb: "create sessions" },
  // Listing a host's files is the first step of opening one: whoever may create may look.
  browse: { role: "writer", verb: "browse hosts' files" },
  gc: { role: "owner", verb: "remove ended sessions" },
  people: { role: "owner", verb: "manage users and share links" },
  hosts: { role: "owner", verb: "manage hosts" },
  audit: { role: "owner", verb: "read the audit trail" },
  storage: { role: "owner", verb: "back up or check the database" },
  metrics: { role: "owner", verb: "read the hub's metrics" },
};

export function atLeast(role: Role, least: Role): boolean {
  return RANK[role] >= RANK[least];
}

/**
 * The role a principal holds on a session: the owner everywhere; a share link only on its own
 * session; anyone else their grant on it, else their global role.
 */
export function sessionRole(
  principal: Principal,
  sessionId: string,
  grant: Role | undefined,
): Role | undefined {
  if (principal.via === "share") return principal.session === sessionId ? principal.role : undefined;
  if (principal.role === "owner") return "owner";
  return grant ?? principal.role;
}

/**
 * What a share link may do to its session, whatever its role: a link is for watching or
 * typing into the session (with write: its input, its size, its kind's commands such as an
 * editor's edits or a workspace's evaluations), not for owning it. Renaming, killing,
 * removing, reviving and sharing are its owner's, and so are the kind's controlling verbs
 * (`control`: a kernel's restart loses its state as a kill would).
 */
const SHARE_LINK_MAY: ReadonlySet<Action> = new Set<Action>(["read", "input", "resize", "command"]);

/** What one of a kind's verbs declares it needs (`KindCommand`'s `readOnly` and `control`). */
export interface KindCommandNeeds {
  readonly readOnly?: boolean;
  /** A controlling verb, as a refusal names it ("restart its kernel"). */
  readonly control?: string;
}

/**
 * The action running a kind's verb is: reading for a verb that changes nothing, control for
 * one that loses what the session holds, else a command (what typing is). A verb the kind
 * does not have is a writer's command: the kind refuses it by name once allowed.
 */
export function kindCommandAction(needs: KindCommandNeeds | undefined): SessionAction {
  if (needs?.readOnly === true) return "read";
  return needs?.control !== undefined ? "control" : "command";
}

/**
 * Throws `forbidden` with a message a person can act on, unless the role suffices. `control`
 * names the kind's verb a `control` action is ("restart its kernel"), for the refusal.
 */
export function requireRole(
  principal: Principal,
  action: Action,
  held: Role | undefined,
  session?: { name: string },
  control?: string,
): void {
  const need = NEEDS[action];
  const named = action === "control" && control !== undefined ? control : undefined;
  if (session && held !== undefined && principal.via === "share" && !SHARE_LINK_MAY.has(action)) {
    const may = atLeast(held, "writer") ? NEEDS.input.verb : NEEDS.read.verb;
    const not = named ?? `${need.verb} it`;
    throw new DispatchError(
      "forbidden",
      `a share link may ${may} '${session.name}' but not ${not}; ask its owner`,
    );
  }
  if (held !== undefined && atLeast(held, need.role)) return;
  if (session && held === undefined) {
    throw new DispatchError("forbidden", `${principal.name} has no access to session '${session.name}'`);
  }
  const who = held === undefined ? principal.name : `${held}s`;
  if (session && named !== undefined) {
    throw new DispatchError(
      "forbidden",
      `${who} of '${session.name}' cannot ${named}; ask its owner for write access`,
    );
  }
  const target = session ? ` '${session.name}'` : "";
  const ask =
    need.role === "owner" ? "only an owner can" : session ? "ask its owner for write access" : "ask an owner";
  throw new DispatchError("forbidden", `${who} cannot ${need.verb}${target}; ${ask}`);
}

/** Whether a share-link principal may see the hub beyond its one session. */
export function seesWholeHub(principal: Principal): boolean {
  return principal.via !== "share";
}
