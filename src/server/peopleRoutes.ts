/**
 * REST for people (route list in `protocol/people.ts`): who am I, users and roles, share
 * links (and `GET /share/TOKEN`, which opens one in the browser), presence, the audit trail,
 * and single sign-on's routes when configured.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { z } from "zod";
import { parseDuration } from "../core/duration.js";
import { DispatchError } from "../core/errors.js";
import { didYouMean, unknownNameMessage } from "../core/names.js";
import type { Hub } from "../hub/Hub.js";
import {
  AddUserRequest,
  AuditQuery,
  type Principal,
  SetRoleRequest,
  ShareRequest,
} from "../protocol/people.js";
import type { SessionInfo } from "../protocol/session.js";
import { SHARE_LINK_PROBLEM, SHARE_PATH } from "../protocol/shareLinks.js";
import { type Authenticator, SHARE_LINK_REFUSED, SHARE_LINK_UNCHECKED, sessionCookie } from "./auth.js";
import type { Gate } from "./authorize.js";
import { asksForPage, errorPage } from "./errorPage.js";
import { actorOf } from "./requestActor.js";
import { auditFailedSignIn } from "./signInAudit.js";

const NameParams = z.object({ name: z.string().min(1).max(64) });
const IdParams = z.object({ id: z.string().min(4).max(64) });
/** What a link that does not open is told. */
const TokenParams = z.object({ token: z.string().min(8).max(256) });

/** Single sign-on's two routes (`oidc.ts`): where to send the browser, and its way back. */
export interface OidcRoutes {
  start(request: FastifyRequest, reply: FastifyReply): Promise<unknown>;
  callback(request: FastifyRequest, reply: FastifyReply): Promise<Principal>;
}

export interface PeopleRoutesOptions {
  hub: Hub;
  auth: Authenticator;
  gate: Gate;
  secureCookies: boolean;
  oidc?: OidcRoutes | undefined;
  hubUrl: () => string;
}

/** Where the browser lands once a share link has set its cookie. */

export function registerPeopleRoutes(app: FastifyInstance, options: PeopleRoutesOptions): void {
  const { hub, auth, gate } = options;
  const { people, audit, sessions } = hub;
  const nameOf = (id: string) => {
    try {
      return sessions.get(id).name;
    } catch {
      // The session is gone: its link is dead weight until revoked or expired.
      return null;
    }
  };

  app.get("/api/me", async (request) => {
    const { principal } = actorOf(request);
    return { ok: true, principal: people.refresh(principal) ?? principal };
  });

  app.get("/api/users", async (request) => {
    gate.hub(actorOf(request), "people");
    return { users: people.list() };
  });

  app.post("/api/users", async (request, reply) => {
    const actor = actorOf(request);
    gate.hub(actor, "people");
    const created = people.add(AddUserRequest.parse(request.body ?? {}));
    audit.record(actor, "user-add", { detail: { user: created.user.name, role: created.user.role } });
    reply.code(201);
    return created;
  });

  app.patch("/api/users/:name", async (request) => {
    const actor = actorOf(request);
    gate.hub(actor, "people");
    const { name } = NameParams.parse(request.params);
    const { role, session } = SetRoleRequest.parse(request.body ?? {});
    const sessionId = session === undefined ? undefined : sessions.get(session).id;
    const user = people.setRole(name, role, sessionId);
    // A role lowered takes rights away: open connections re-check theirs (presence, size rule).
    hub.bus.emit("access-revoked");
    audit.record(actor, "role", { session: sessionId, detail: { user: name, role } });
    return { user };
  });

  app.delete("/api/users/:name", async (request) => {
    const actor = actorOf(request);
    gate.hub(actor, "people");
    const removed = people.remove(NameParams.parse(request.params).name);
    audit.record(actor, "user-remove", { detail: { user: removed.name } });
    return { removed };
  });

  app.post("/api/sessions/:name/share", async (request, reply) => {
    const actor = actorOf(request);
    const session = gate.session(actor, "share", NameParams.parse(request.params).name);
    const { write, expires, label } = ShareRequest.parse(request.body ?? {});
    const expiresAt = expires ? Date.now() + durationOrBadRequest(expires) : undefined;
    const created = people.share(session, write ? "writer" : "viewer", expiresAt, label);
    audit.record(actor, "share", {
      session: session.id,
      detail: {
        link: created.share.id,
        role: created.share.role,
        expiresAt: expiresAt ?? null,
        ...(label ? { label } : {}),
      },
    });
    reply.code(201);
    return { ...created, url: `${options.hubUrl()}${SHARE_PATH}${created.token}` };
  });

  app.get("/api/shares", async (request) => {
    gate.hub(actorOf(request), "people");
    return { shares: people.shares(nameOf) };
  });

  app.delete("/api/shares/:id", async (request) => {
    const actor = actorOf(request);
    gate.hub(actor, "people");
    const revoked = people.revokeShare(IdParams.parse(request.params).id);
    audit.record(actor, "revoke", { session: revoked.session, detail: { link: revoked.id } });
    return { revoked: { ...revoked, sessionName: nameOf(revoked.session) } };
  });

  app.get("/api/sessions/:name/presence", async (request) => {
    const session = gate.session(actorOf(request), "read", NameParams.parse(request.params).name);
    return { presence: hub.clients.presence(session.id) };
  });

  app.get("/api/audit", async (request) => {
    gate.hub(actorOf(request), "audit");
    const query = AuditQuery.parse(request.query);
    const session = query.session === undefined ? undefined : resolveForAudit(hub, query.session);
    return { entries: hub.audit.read({ session, since: query.since, limit: query.limit }) };
  });

  // A share link opened in the browser: its token becomes the cookie, then the web UI opens.
  // A link that does not work sends a browser to the web UI too, which says why (a person
  // clicked it: a JSON error body would be all they saw); a script gets the JSON error. One the
  // hub cannot check while its store is away gets a page of the hub's saying to try again.
  app.get("/share/:token", async (request, reply) => {
    const refuse = (problem: string, err: unknown) => {
      if (asksForPage(request)) return reply.redirect(`/#${problem}`);
      throw err;
    };
    const parsed = TokenParams.safeParse(request.params);
    if (!parsed.success) {
      return refuse(SHARE_LINK_PROBLEM.refused, new DispatchError("unauthorized", SHARE_LINK_REFUSED));
    }
    let principal: Principal;
    try {
      principal = await auth.verify(parsed.data.token, request.ip, SHARE_LINK_REFUSED);
    } catch (err) {
      auditFailedSignIn(audit, request.ip, "share", err);
      const refused = err instanceof DispatchError && err.code === "unauthorized";
      if (refused) return refuse(SHARE_LINK_PROBLEM.refused, err);
      // The store is away: the link may be good, so the page says to come back, and leads here again.
      const unchecked = err instanceof DispatchError && err.code === "storage_failing";
      if (!unchecked || !asksForPage(request)) throw err;
      const again = { href: request.url, text: "Try again" };
      return reply
        .code(err.httpStatus)
        .type("text/html; charset=utf-8")
        .send(errorPage(SHARE_LINK_UNCHECKED, again));
    }
    if (principal.via !== "share" || !principal.session) {
      throw new DispatchError("bad_request", "that is not a share link; sign in on the hub's front page");
    }
    let session: SessionInfo;
    try {
      session = sessions.get(principal.session);
    } catch (err) {
      const gone = err instanceof DispatchError && err.code === "not_found";
      return gone ? refuse(SHARE_LINK_PROBLEM.gone, err) : Promise.reject(err);
    }
    audit.record({ principal, address: request.ip }, "sign-in", {
      session: session.id,
      detail: { over: "share" },
    });
    reply.header("set-cookie", sessionCookie(parsed.data.token, options.secureCookies));
    return reply.redirect(`/#session=${encodeURIComponent(session.name)}`);
  });

  if (options.oidc) {
    const oidc = options.oidc;
    app.get("/api/auth/oidc", async (request, reply) => oidc.start(request, reply));
    app.get("/api/auth/oidc/callback", async (request, reply) => {
      const principal = await oidc.callback(request, reply).catch((err: unknown) => {
        auditFailedSignIn(audit, request.ip, "oidc", err);
        throw err;
      });
      audit.record({ principal, address: request.ip }, "sign-in", { detail: { over: "oidc" } });
      reply.header("set-cookie", sessionCookie(auth.issueWebToken(principal), options.secureCookies));
      return reply.redirect("/#signed-in");
    });
  }
}

/**
 * A session's id for the audit filter: its current name or id, or the id of one removed since
 * that the trail still holds rows of. Anything else is not_found with a did-you-mean, as
 * elsewhere: an empty answer would read as "nothing happened there".
 */
function resolveForAudit(hub: Hub, ref: string): string {
  try {
    return hub.sessions.get(ref).id;
  } catch (err) {
    if (!(err instanceof DispatchError && err.code === "not_found")) throw err;
    if (hub.audit.read({ session: ref, limit: 1 }).length > 0) return ref;
    const names = hub.sessions.list().map((s) => s.name);
    const message = unknownNameMessage("session", ref, names);
    throw new DispatchError(
      "not_found",
      didYouMean(ref, names)
        ? message
        : `${message}; a session removed since is named by its id, as \`dispatch audit\` shows it`,
    );
  }
}

function durationOrBadRequest(text: string): number {
  let ms: number;
  try {
    ms = parseDuration(text);
  } catch (err) {
    throw new DispatchError("bad_request", `expires: ${(err as Error).message}`);
  }
  // A link dead on arrival is a mistake, not a wish.
  if (ms <= 0)
    throw new DispatchError(
      "bad_request",
      `expires: '${text}' would end the link at once; give a time ahead, e.g. 2h`,
    );
  return ms;
}
