/**
 * `GET /api/kinds`: the session kinds this hub has registered (built-in and plug-ins), so a
 * client such as `dispatch up` checks a kind against the hub it talks to rather than a list
 * compiled into itself.
 */
import type { FastifyInstance } from "fastify";
import { findKind, kindNames } from "../kinds/registry.js";
import type { KindsBody } from "../protocol/api.js";

export function registerKindsRoute(app: FastifyInstance): void {
  app.get("/api/kinds", async () => {
    const kinds = kindNames().map((name) => ({ name, label: findKind(name)?.label ?? name }));
    return { kinds } satisfies KindsBody;
  });
}
