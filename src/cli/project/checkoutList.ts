/**
 * `dispatch ls --project NAME` when more than one checkout of the project is up: the sessions
 * grouped by checkout, each group headed by the checkout's name in the hub (`shop`, `shop-2`)
 * and the directory its sessions run in.
 */
import { dirname, sep } from "node:path";
import type { SessionInfo } from "../../protocol/session.js";

export interface CheckoutGroup {
  /** The checkout's project name in the hub. */
  project: string;
  sessions: SessionInfo[];
}

/** The sessions by the project they have in the hub, the one named `name` first. */
export function byCheckout(sessions: readonly SessionInfo[], name: string): CheckoutGroup[] {
  const groups = new Map<string, SessionInfo[]>([[name, []]]);
  for (const session of sessions) {
    const project = session.project ?? name;
    groups.set(project, [...(groups.get(project) ?? []), session]);
  }
  return [...groups]
    .filter(([, listed]) => listed.length > 0)
    .map(([project, listed]) => ({ project, sessions: listed }));
}

/** "shop-2, a checkout of shop in /src/b:" */
export function checkoutHeading(group: CheckoutGroup, name: string): string {
  const where = commonDirectory(group.sessions.map((s) => s.cwd));
  const what = group.project === name ? name : `${group.project}, a checkout of ${name}`;
  return `${what}${where ? ` in ${where}` : ""}:`;
}

/**
 * The deepest directory holding every session's working directory: the checkout's own when a
 * session runs there (a session's `cwd` defaults to the project file's directory).
 */
function commonDirectory(cwds: readonly string[]): string | undefined {
  const [first, ...rest] = cwds;
  if (first === undefined) return undefined;
  let common = first;
  for (const cwd of rest) {
    while (cwd !== common && !cwd.startsWith(common.endsWith(sep) ? common : `${common}${sep}`)) {
      const up = dirname(common);
      if (up === common) return common;
      common = up;
    }
  }
  return common;
}
