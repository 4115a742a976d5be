/**
 * What `dispatch up` must do to make the hub match the project file, decided before anything
 * is touched: per declared session create it, keep it, start it again or restart it (its
 * declaration changed), or refuse (its name is taken outside the project); and stop the
 * project's sessions the file no longer declares.
 */
import { isLiveStatus } from "../../core/liveness.js";
import type { SessionInfo } from "../../protocol/session.js";
import { untagged } from "./checkout.js";

export type Step =
  /** No session of that name: create it. */
  | { type: "create" }
  /** Running as declared: leave it alone. */
  | { type: "keep"; session: SessionInfo }
  /** Ended but declared the same: start it again (its history continues where the kind can). */
  | { type: "start"; session: SessionInfo }
  /** The declaration changed: stop and remove it, then create it anew. */
  | { type: "restart"; session: SessionInfo }
  /** The name belongs to a session outside this project. */
  | { type: "conflict"; session: SessionInfo; message: string };

export interface PlanInput {
  project: string;
  declared: readonly { name: string; declaration: string }[];
  existing: readonly SessionInfo[];
}

export interface Plan {
  steps: Map<string, Step>;
  /** The project's sessions the file no longer declares. */
  undeclared: SessionInfo[];
}

export function planUp({ project, declared, existing }: PlanInput): Plan {
  const byName = new Map(existing.map((s) => [s.name, s]));
  const steps = new Map<string, Step>();
  for (const { name, declaration } of declared) {
    const session = byName.get(name);
    if (!session) steps.set(name, { type: "create" });
    else if (session.project !== project) {
      const where = session.project ? `in project '${session.project}'` : "outside any project";
      steps.set(name, {
        type: "conflict",
        session,
        message: `a session named '${name}' already exists ${where}, so this one was not started; rename that one (\`dispatch rename ${name} NEW\`) or this one in the project file, then run \`dispatch up\` again`,
      });
    } else if (untagged(session.declaration) !== untagged(declaration))
      steps.set(name, { type: "restart", session });
    else if (isLiveStatus(session.status)) steps.set(name, { type: "keep", session });
    else steps.set(name, { type: "start", session });
  }
  const names = new Set(declared.map((d) => d.name));
  const undeclared = existing.filter((s) => s.project === project && !names.has(s.name));
  return { steps, undeclared };
}
