/**
 * `POST /api/sessions/:name/notify {state, message?}`: an agent's hook (`dispatch notify`)
 * reports its state. Accepts the access key or login cookie, or a session token good for
 * this one session (the token in the agent's environment); any other token is refused and
 * counts as a failed attempt.
 */
import type { FastifyInstance } from "fastify";
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import type { SessionTokens } from "../hub/SessionTokens.js";
import { NotifyRequest } from "../protocol/api.js";
import type { Authenticator } from "./auth.js";
import type { Gate } from "./authorize.js";

/** Routes that authenticate with a session token themselves (skipped by the global check). */
export const SESSION_TOKEN_ROUTE = /^\/api\/sessions\/[^/]+\/notify$/;

const NameParams = z.object({ name: z.string().min(1).max(64) });

export interface NotifyRouteOptions {
  sessions: SessionCommands;
  auth: Authenticator;
  gate: Gate;
  tokens: SessionTokens | undefined;
}

export function registerNotify(app: FastifyInstance, options: NotifyRouteOptions): void {
  app.post("/api/sessions/:name/notify", async (request) => {
    const { name } = NameParams.parse(request.params);
    const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? "")?.[1]?.trim();
    const record = bearer ? findSession(options.sessions, name) : undefined;
    const ownToken = bearer && record && options.tokens?.check(bearer, record.id);
    if (!ownToken) {
      // Not the session's own token: a person's credentials, checked like any request.
      const principal = await options.auth.authenticate(request.headers, request.ip).catch(() => undefined);
      if (!principal) {
        throw new DispatchError(
          "unauthorized",
          "this token is not good for that session: `dispatch notify` works inside the session it was started with",
        );
      }
      options.gate.session({ principal, address: request.ip }, "command", name);
    }
    // The agent kind's `notify` command: its host emits the `state` event.
    await options.sessions.command(name, "notify", NotifyRequest.parse(request.body ?? {}));
    return { ok: true, session: options.sessions.get(name) };
  });
}

/** The session, without telling an unauthenticated caller whether the name exists. */
function findSession(sessions: SessionCommands, ref: string) {
  try {
    return sessions.get(ref);
  } catch {
    return undefined;
  }
}
