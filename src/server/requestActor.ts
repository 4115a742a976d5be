/**
 * Every authenticated REST request carries its actor (principal and address), set by the
 * `onRequest` hook in `app.ts` and read by the routes through `actorOf`.
 */
import type { FastifyRequest } from "fastify";
import { DispatchError } from "../core/errors.js";
import type { Actor } from "../hub/AuditTrail.js";

declare module "fastify" {
  interface FastifyRequest {
    actor: Actor | null;
  }
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new DispatchError("unauthorized", "sign in first");
  return request.actor;
}
