/**
 * `POST /api/sessions/:name/notify {state, message?}`: an agent's hook (`dispatch notify`)
 * reports its state. `dispatch notify` proves the session token in the agent's environment
 * (`Authorization: Dispatch-Proof k=…`, keyed on the token's stored hash: docs/PROTOCOL.md, "Key
 * proofs") and trusts only an answer carrying the hub's proof back, so whatever took the hub's
 * port while it was down learns no token. A person's credentials (the access key, a token, the
 * login cookie, or a proof of one) are taken as on any route. Any other token is refused and
 * counts as a failed attempt.
 *
 * The previous release's `dispatch notify` (in sessions of a host not upgraded yet) sends the
 * session token itself as a bearer: still taken, and logged once per session as a warning.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { Logger } from "pino";
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import type { SessionCommands } from "../hub/SessionCommands.js";
import type { SessionTokens } from "../hub/SessionTokens.js";
import { HUB_PROOF_HEADER } from "../platform/keyProof.js";
import { NotifyRequest } from "../protocol/api.js";
import type { Principal } from "../protocol/people.js";
import type { Authenticator } from "./auth.js";
import type { Gate } from "./authorize.js";
import { arrivalOf, KeyProofs, type ProofSigner, provenBody } from "./keyProofs.js";

/** Routes that authenticate with a session token themselves (skipped by the global check). */
export const SESSION_TOKEN_ROUTE = /^\/api\/sessions\/[^/]+\/notify$/;

const NameParams = z.object({ name: z.string().min(1).max(64) });

/** A proof or bearer of the session's own token: the one caller that needs no person. */
const OWN_TOKEN = "own-session-token";
type Caller = Principal | typeof OWN_TOKEN;

const NOT_THIS_SESSION =
  "this token is not good for that session: `dispatch notify` works inside the session it was started with";

/** Sessions whose bearer token was logged already; forgotten past this many (then logged again). */
const MAX_BEARERS_LOGGED = 10_000;

export interface NotifyRouteOptions {
  sessions: SessionCommands;
  auth: Authenticator;
  gate: Gate;
  tokens: SessionTokens | undefined;
  logger: Logger;
  /** The hub is behind a proxy it trusts (`--trust-proxy`): proofs are for the proxy's port. */
  trustProxy: boolean;
}

export function registerNotify(app: FastifyInstance, options: NotifyRouteOptions): void {
  const { auth, tokens, logger } = options;
  const bearersLogged = new Set<string>();
  /** Who each request is, found before its body is read (as the global check does for other routes). */
  const callers = new WeakMap<FastifyRequest, Caller>();

  /** The caller, or throws `unauthorized` (every refusal counted by the limiter). */
  const identify = async (request: FastifyRequest, reply: FastifyReply, name: string): Promise<Caller> => {
    const { authorization } = request.headers;
    const record = findSession(options.sessions, name);
    if (KeyProofs.presented(authorization)) {
      const outcome = await auth.prove<Caller>(
        authorization,
        request.ip,
        arrivalOf(request.raw, options.trustProxy),
        {
          accessKey: auth.personSigners.accessKey,
          byKeyId: (keyId) => [
            ...(record && tokens ? tokens.proofKeys(keyId, record.id) : []).map(
              (key): ProofSigner<Caller> => ({ key, principal: OWN_TOKEN }),
            ),
            ...auth.personSigners.byKeyId(keyId),
          ],
        },
      );
      if ("refusal" in outcome) {
        throw new DispatchError("unauthorized", outcome.clock ? outcome.refusal : NOT_THIS_SESSION);
      }
      const answer = auth.answerProof(request.headers);
      if (answer) reply.header(HUB_PROOF_HEADER, answer);
      return outcome.principal;
    }
    const bearer = /^Bearer\s+(.+)$/i.exec(authorization ?? "")?.[1]?.trim();
    if (bearer && record && tokens?.check(bearer, record.id)) {
      if (!bearersLogged.has(record.id)) {
        if (bearersLogged.size >= MAX_BEARERS_LOGGED) bearersLogged.clear();
        bearersLogged.add(record.id);
        logger.warn(
          { session: record.name },
          "`dispatch notify` sent its session token as a bearer, as the previous release does: whatever listens where it looks for the hub can take the token; upgrade dispatch where the session runs",
        );
      }
      return OWN_TOKEN;
    }
    // Not the session's own token: a person's credentials, checked like any request.
    const principal = await auth.authenticate(request.headers, request.ip).catch(() => undefined);
    if (!principal) throw new DispatchError("unauthorized", NOT_THIS_SESSION);
    return principal;
  };

  app.post(
    "/api/sessions/:name/notify",
    {
      // The global check skips this route; this is its own, before the body is read.
      onRequest: async (request, reply) => {
        const { name } = NameParams.parse(request.params);
        callers.set(request, await identify(request, reply, name));
      },
      // Once a proof is taken, its body must be the one it signed (as on every other route).
      preParsing: async (request, _reply, payload) =>
        callers.has(request) ? provenBody(request.headers.authorization, payload) : payload,
    },
    async (request) => {
      const { name } = NameParams.parse(request.params);
      const caller = callers.get(request);
      if (!caller) throw new DispatchError("unauthorized", NOT_THIS_SESSION);
      if (caller !== OWN_TOKEN)
        options.gate.session({ principal: caller, address: request.ip }, "command", name);
      // The agent kind's `notify` command: its host emits the `state` event.
      await options.sessions.command(name, "notify", NotifyRequest.parse(request.body ?? {}));
      return { ok: true, session: options.sessions.get(name) };
    },
  );
}

/** The session, without telling an unauthenticated caller whether the name exists. */
function findSession(sessions: SessionCommands, ref: string) {
  try {
    return sessions.get(ref);
  } catch {
    return undefined;
  }
}
