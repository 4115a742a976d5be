/**
 * A real OpenID provider for the sign-on tests (oidc-provider with its development login form,
 * which takes any login and makes it the account's email): one client, the authorization-code
 * flow with PKCE, answering on the given server.
 */
import type { Server } from "node:http";
import Provider from "oidc-provider";

export const CLIENT_ID = "dispatch-test";
export const CLIENT_SECRET = "dispatch-test-secret-0123456789";

/**
 * The provider at `issuer`, sending people back to `hubUrl`'s callback, served by `server`.
 * `verified` says what its `email_verified` claim is for an address (undefined: not sent, as
 * by a provider that does not verify addresses); every address is verified by default.
 */
export function serveTestProvider(
  server: Server,
  issuer: string,
  hubUrl: string,
  verified: (email: string) => boolean | undefined = () => true,
): Provider {
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
      claims: async () => {
        const claim = verified(id);
        return { sub: id, email: id, ...(claim === undefined ? {} : { email_verified: claim }) };
      },
    }),
    claims: { openid: ["sub"], email: ["email", "email_verified"] },
    pkce: { required: () => true },
    cookies: { keys: ["oidc-test-cookie-key"] },
  });
  server.on("request", provider.callback());
  return provider;
}
