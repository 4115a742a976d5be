/**
 * Single sign-on in chromium against a real OpenID provider (oidc-provider, started here on
 * 127.0.0.1 with its development login form): the authorization-code flow with PKCE signs an
 * allowed person in with the allow-list's role; a person not on the list is refused.
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type Provider from "oidc-provider";
import { afterAll, describe, expect, it } from "vitest";
import { CLIENT_ID, CLIENT_SECRET, serveTestProvider } from "../oidcProvider.js";
import { webSuite } from "./browser.js";

// The provider's port must be known before the hub starts (the issuer is in its environment);
// the provider itself is created once the hub's callback URL is known.
const server: Server = createServer();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
let provider: Provider | undefined;

const suite = webSuite({
  env: {
    DISPATCH_OIDC_ISSUER: issuer,
    DISPATCH_OIDC_CLIENT_ID: CLIENT_ID,
    DISPATCH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
    DISPATCH_OIDC_ALLOW: "alice@example.com=writer,viewers.example=viewer",
  },
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

function startProvider(hubUrl: string): void {
  if (provider) return;
  provider = serveTestProvider(server, issuer, hubUrl);
}

async function signIn(login: string) {
  const hub = suite.hub;
  startProvider(hub.url);
  const tp = await suite.page();
  // The provider's pages import a web font; nothing may leave this machine.
  await tp.context.route(/fonts\.googleapis\.com/, (route) => route.abort());
  await tp.page.getByRole("link", { name: "Sign in with single sign-on" }).click();
  await tp.page.locator("input[name=login]").fill(login);
  await tp.page.locator("input[name=password]").fill("any");
  await tp.page.getByRole("button", { name: "Sign-in" }).click();
  await tp.page.getByRole("button", { name: "Continue" }).click();
  return tp;
}

describe("single sign-on", () => {
  it("signs an allowed person in with the role the allow-list gives", async () => {
    const { page } = await signIn("alice@example.com");
    await page.getByRole("navigation", { name: "Sessions" }).waitFor();
    const me = await page.evaluate(async () => (await fetch("/api/me")).json());
    expect(me.principal).toMatchObject({ name: "alice@example.com", role: "writer", via: "oidc" });
    const audit = await suite.hub.cli(["audit", "--json"]);
    expect(audit.stdout).toMatch(/"actor":"alice@example.com","action":"sign-in".*"over":"oidc"/);
    const users = await suite.hub.cli(["users", "ls"]);
    expect(users.stdout).toMatch(/alice@example.com\s+writer\s+alice@example.com/);
  });

  it("refuses a person who is not on the allow-list", async () => {
    const { page } = await signIn("mallory@elsewhere.example");
    await page.getByText(/mallory@elsewhere\.example is not on this hub's allow-list/).waitFor();
    const me = await page.evaluate(async () => (await fetch("/api/me")).status);
    expect(me).toBe(401);
  });
});
