/**
 * A real OpenID provider for the sign-on tests (oidc-provider with its development login form,
 * which takes any login and makes it the account's email): one client, the authorization-code
 * flow with PKCE, answering on the given server.
 */
import type { Server } from "node:http";
import Provider from "oidc-provider";

export const CLIENT_ID = "dispatch-test";
export const CLIENT_SECRET = "dispatch-test-secret-0123456789";

/** The provider at `issuer`, sending people back to `hubUrl`'s callback, served by `server`. */
export function serveTestProvider(server: Server, issuer: string, hubUrl: string): Provider {
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        client_secret: CLIENT_SECRET,
        redirect_uris: [`${hubUrl}/api/auth/oidc/callback`],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
    findAccount: async (_ctx, id) => ({
      accountId: id,
      claims: async () => ({ sub: id, email: id, email_verified: true }),
    }),
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    pkce: { required: () => true },
    cookies: { keys: ["oidc-test-cookie-key"] },
  });
  server.on("request", provider.callback());
  return provider;
}
