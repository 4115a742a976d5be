/**
 * Single sign-on with OpenID Connect (openid-client): the authorization-code flow with PKCE.
 * `GET /api/auth/oidc` sends the browser to the provider with a fresh state and code
 * challenge (state and verifier go in a short-lived sealed cookie, `oidcState.ts`, so any node
 * of a cluster, or a restarted hub, can finish the sign-in);
 * `/api/auth/oidc/callback` exchanges the code, reads the verified email from the ID token and
 * maps it through the allow-list to a role. A person not on the list is refused.
 *
 * Settings: DISPATCH_OIDC_ISSUER, DISPATCH_OIDC_CLIENT_ID, DISPATCH_OIDC_CLIENT_SECRET
 * (absent: a public client), DISPATCH_OIDC_ALLOW (`alice@example.com=owner,example.com=writer`),
 * DISPATCH_PUBLIC_URL (the hub's address as the browser sees it; the redirect URI is
 * `<it>/api/auth/oidc/callback`), DISPATCH_OIDC_EMAIL_VERIFIED (`required`, the default, or
 * `optional` for a provider that never sends the `email_verified` claim).
 *
 * The allow-list names email addresses, so an address the provider has not verified proves
 * nothing: anyone could register `alice@example.com` at a provider that does not check. A
 * sign-in is refused unless the provider says the address is verified; `optional` trusts a
 * provider that says nothing (one that verifies every address, or only lets in its own
 * domain's accounts), and an explicit `email_verified: false` is refused either way.
 */
import type { FastifyReply, FastifyRequest } from "fastify";
import type * as OpenIdClient from "openid-client";
import type { Logger } from "pino";
import { z } from "zod";
import { DispatchError } from "../core/errors.js";
import { importModule } from "../core/importModule.js";
import type { People } from "../hub/People.js";
import { type Principal, Role } from "../protocol/people.js";
import { readCookie } from "./auth.js";
import { openSignIn, sealSignIn, signInKey } from "./oidcState.js";
import type { OidcRoutes } from "./peopleRoutes.js";

const STATE_COOKIE = "dispatch_oidc";
/** A sign-in must come back from the provider within this. */
const PENDING_TTL_MS = 10 * 60_000;
export const CALLBACK_PATH = "/api/auth/oidc/callback";

export interface OidcSettings {
  issuer: string;
  clientId: string;
  clientSecret: string | undefined;
  /** Email (`a@b.c`) or domain (`b.c`) → role. */
  allow: ReadonlyMap<string, Role>;
  /** Whether a sign-in needs the provider's `email_verified: true` (else only not `false`). */
  emailVerified: EmailVerified;
}

/** DISPATCH_OIDC_EMAIL_VERIFIED: whether the provider must say it verified the address. */
export const EmailVerified = z.enum(["required", "optional"]);
export type EmailVerified = z.infer<typeof EmailVerified>;

/** Parses `alice@example.com=owner,example.com=writer`. */
export function parseAllowList(text: string): Map<string, Role> {
  const allow = new Map<string, Role>();
  for (const entry of text
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [pattern, role] = entry.split("=").map((s) => s.trim());
    const parsed = Role.safeParse(role);
    if (!pattern || !parsed.success) {
      throw new Error(
        `DISPATCH_OIDC_ALLOW entry '${entry}': write EMAIL=ROLE or DOMAIN=ROLE (owner, writer, viewer)`,
      );
    }
    allow.set(pattern.toLowerCase(), parsed.data);
  }
  return allow;
}

/** The role the allow-list gives an email: the exact address first, then its domain. */
export function roleForEmail(allow: ReadonlyMap<string, Role>, email: string): Role | undefined {
  const lower = email.toLowerCase();
  return allow.get(lower) ?? allow.get(lower.slice(lower.lastIndexOf("@") + 1));
}

/** openid-client and its JOSE stack, loaded only by a hub that signs people on with OIDC. */
let client: typeof OpenIdClient;

export class OidcSignOn implements OidcRoutes {
  private config: Promise<OpenIdClient.Configuration> | undefined;
  private redirectBase = "";

  constructor(
    private readonly settings: OidcSettings,
    private readonly parts: { people: People; logger: Logger; stateKey: Buffer },
  ) {}

  setRedirectBase(url: string): void {
    this.redirectBase = url.replace(/\/+$/, "");
  }

  async start(_request: FastifyRequest, reply: FastifyReply): Promise<unknown> {
    const config = await this.configuration();
    const verifier = client.randomPKCECodeVerifier();
    const state = client.randomState();
    const cookie = sealSignIn({ state, verifier, at: Date.now() }, this.parts.stateKey);
    const url = client.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectBase + CALLBACK_PATH,
      scope: "openid email",
      code_challenge: await client.calculatePKCECodeChallenge(verifier),
      code_challenge_method: "S256",
      state,
    });
    // Lax, not Strict: the browser comes back to the callback from the provider's site.
    reply.header(
      "set-cookie",
      `${STATE_COOKIE}=${cookie}; HttpOnly; SameSite=Lax; Path=/api/auth/oidc; Max-Age=${PENDING_TTL_MS / 1000}`,
    );
    return reply.redirect(url.href);
  }

  async callback(request: FastifyRequest, reply: FastifyReply): Promise<Principal> {
    const cookie = readCookie(request.headers.cookie, STATE_COOKIE);
    const pending = cookie ? openSignIn(cookie, this.parts.stateKey) : undefined;
    if (!pending || Date.now() - pending.at > PENDING_TTL_MS) {
      throw new DispatchError(
        "unauthorized",
        "this sign-in was not started here or took too long; start again",
      );
    }
    const { state } = pending;
    reply.header("set-cookie", `${STATE_COOKIE}=; HttpOnly; SameSite=Lax; Path=/api/auth/oidc; Max-Age=0`);
    const config = await this.configuration();
    let found: Record<string, unknown> | undefined;
    try {
      const tokens = await client.authorizationCodeGrant(config, new URL(this.redirectBase + request.url), {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
      });
      const claims = tokens.claims();
      found = claims ? { ...claims } : undefined;
      // Providers may keep scope claims out of the ID token and serve them at userinfo.
      if (claims && (typeof claims.email !== "string" || claims.email_verified === undefined)) {
        const userInfo = client.fetchUserInfo(config, tokens.access_token, claims.sub);
        // Only the verification missing: a provider without userinfo keeps what the token said.
        const extra = typeof claims.email === "string" ? await userInfo.catch(() => ({})) : await userInfo;
        found = { ...claims, ...extra };
      }
    } catch (err) {
      this.parts.logger.warn({ err }, "single sign-on: code exchange failed");
      throw new DispatchError("unauthorized", `sign-in with the provider failed: ${(err as Error).message}`);
    }
    const email = typeof found?.email === "string" ? found.email : undefined;
    if (!email) {
      throw new DispatchError(
        "unauthorized",
        "the provider sent no email address; allow this hub the `email` scope at the provider, then sign in again",
      );
    }
    this.requireVerified(email, found?.email_verified);
    const role = roleForEmail(this.settings.allow, email);
    if (!role) {
      throw new DispatchError(
        "forbidden",
        `${email} is not on this hub's allow-list; ask its owner to add it`,
      );
    }
    const user = this.parts.people.ensureByEmail(email, role);
    return this.parts.people.principalOf(user, "oidc");
  }

  /**
   * Refuses an address the provider did not say it verified: `false` always, a missing claim
   * unless the operator set DISPATCH_OIDC_EMAIL_VERIFIED=optional. (Some providers send the
   * claim as the string "true".)
   */
  private requireVerified(email: string, claim: unknown): void {
    if (claim === true || claim === "true") return;
    if (claim === false || claim === "false") {
      throw new DispatchError(
        "forbidden",
        `the sign-on provider has not verified the address ${email}; verify it there, then sign in again`,
      );
    }
    if (this.settings.emailVerified === "optional") return;
    this.parts.logger.warn(
      { email },
      "single sign-on: refused an address the provider did not say it verified (no email_verified claim); " +
        "if the provider never sends it and verifies every address, set DISPATCH_OIDC_EMAIL_VERIFIED=optional",
    );
    throw new DispatchError(
      "forbidden",
      `the sign-on provider did not say it verified the address ${email} (no email_verified claim), so this hub cannot trust it; ask the hub's operator (DISPATCH_OIDC_EMAIL_VERIFIED in the operations guide)`,
    );
  }

  private configuration(): Promise<OpenIdClient.Configuration> {
    const { issuer, clientId, clientSecret } = this.settings;
    const url = new URL(issuer);
    this.config ??= client
      .discovery(
        url,
        clientId,
        clientSecret,
        clientSecret ? client.ClientSecretPost(clientSecret) : client.None(),
        // Plain HTTP only for a provider on this machine (tests, a local IdP).
        url.protocol === "http:" ? { execute: [client.allowInsecureRequests] } : undefined,
      )
      .catch((err: unknown) => {
        this.config = undefined;
        throw new DispatchError(
          "host_unavailable",
          `cannot reach the sign-on provider ${issuer}: ${(err as Error).message}`,
        );
      });
    return this.config;
  }
}

/** Single sign-on from the environment, or undefined when DISPATCH_OIDC_ISSUER is not set. */
export async function oidcFromEnv(
  env: NodeJS.ProcessEnv,
  parts: { people: People; logger: Logger; ownerKey: string },
): Promise<OidcSignOn | undefined> {
  const issuer = env.DISPATCH_OIDC_ISSUER;
  if (!issuer) return undefined;
  const clientId = env.DISPATCH_OIDC_CLIENT_ID;
  if (!clientId) throw new Error("DISPATCH_OIDC_ISSUER is set but DISPATCH_OIDC_CLIENT_ID is not");
  const allow = parseAllowList(env.DISPATCH_OIDC_ALLOW ?? "");
  if (allow.size === 0)
    throw new Error("DISPATCH_OIDC_ALLOW is empty: nobody could sign in; list EMAIL=ROLE or DOMAIN=ROLE");
  const emailVerified = EmailVerified.safeParse(env.DISPATCH_OIDC_EMAIL_VERIFIED || "required");
  if (!emailVerified.success) {
    throw new Error(
      `DISPATCH_OIDC_EMAIL_VERIFIED is '${env.DISPATCH_OIDC_EMAIL_VERIFIED}': write required (the default) or optional (for a provider that never sends email_verified)`,
    );
  }
  client = await importModule<typeof OpenIdClient>("openid-client");
  // Who signed in earlier is held to today's list on every request, not only at sign-in.
  parts.people.useSignOn((email) => roleForEmail(allow, email) !== undefined);
  return new OidcSignOn(
    {
      issuer,
      clientId,
      clientSecret: env.DISPATCH_OIDC_CLIENT_SECRET || undefined,
      allow,
      emailVerified: emailVerified.data,
    },
    { people: parts.people, logger: parts.logger, stateKey: signInKey(parts.ownerKey) },
  );
}
