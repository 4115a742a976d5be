/**
 * `GET /api/kinds`: the session kinds this hub has registered (built-in and plug-ins), so a
 * client such as `dispatch up` checks a kind against the hub it talks to rather than a list
 * compiled into itself, and what each verb takes, so a client offers only what it may run.
 */
import type { FastifyInstance } from "fastify";
import { kindCommandAction } from "../hub/accessPolicy.js";
import type { KindCommand } from "../kinds/kind.js";
import { findKind, kindNames } from "../kinds/registry.js";
import type { KindCommandAccess, KindsBody } from "../protocol/api.js";

function access(command: KindCommand): KindCommandAccess {
  const action = kindCommandAction(command);
  return action === "read" || action === "control" ? action : "input";
}

export function registerKindsRoute(app: FastifyInstance): void {
  app.get("/api/kinds", async () => {
    const kinds = kindNames().map((name) => {
      const kind = findKind(name);
      const commands = Object.entries(kind?.commands ?? {}).map(([verb, command]) => ({
        name: verb,
        description: command.description,
        access: access(command),
      }));
      return { name, label: kind?.label ?? name, alsoCalled: [...(kind?.alsoCalled ?? [])], commands };
    });
    return { kinds } satisfies KindsBody;
  });
}
