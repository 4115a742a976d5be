/**
 * Single sign-on against a real OpenID provider (oidc-provider on 127.0.0.1, its development
 * login form driven over HTTP): a sign-in begun by one hub process is finished by another, as
 * when a cluster's load balancer sends the callback to another node or the hub restarted
 * meanwhile. (The browser flow itself: test/web/oidc.test.ts.)
 */
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, expect, it } from "vitest";
import WebSocket from "ws";
import { cleanupAll, type HubHandle, startHub, waitFor } from "./harness.js";
import { CLIENT_ID, CLIENT_SECRET, serveTestProvider } from "./oidcProvider.js";
import { WireClient } from "./wire.js";

/** The hub's address as the browser sees it: fixed, so a restarted hub (a new port) keeps it. */
const PUBLIC_URL = "http://dispatch.test";

const server: Server = createServer();
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
/** What the provider says of an address: `unverified@…` gets no email_verified claim, `denied@…` false. */
serveTestProvider(server, issuer, PUBLIC_URL, (email) =>
  email.startsWith("unverified@") ? undefined : !email.startsWith("denied@"),
);

afterAll(async () => {
  await cleanupAll();
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/**
 * A browser at the provider, by hand: follows redirects, signs in as `login` on the login form
 * and confirms the consent form, until the provider sends it back to the hub. Returns that URL.
 */
async function atProvider(start: string, login: string): Promise<URL> {
  const jar = new Map<string, string>();
  let url = new URL(start);
  let form: Record<string, string> | undefined;
  for (let step = 0; step < 20; step++) {
    if (url.origin !== issuer) return url;
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...jar].map(([name, value]) => `${name}=${value}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form).toString() : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair = ""] = line.split(";");
      const at = pair.indexOf("=");
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    const location = response.headers.get("location");
    if (location) {
      url = new URL(location, url);
      form = undefined;
      continue;
    }
    const page = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    expect(action, `a form at ${url.href}: ${page.slice(0, 300)}`).toBeDefined();
    url = new URL(action as string, url);
    form = page.includes('name="login"')
      ? { prompt: "login", login, password: "any" }
      : { prompt: "consent" };
  }
  throw new Error(`the provider did not send the browser back (last at ${url.href})`);
}

/** A hub signing people on with the test provider; `env` adds to or overrides its settings. */
function oidcHub(env: Record<string, string>): Promise<HubHandle> {
  return startHub({
    env: {
      DISPATCH_OIDC_ISSUER: issuer,
      DISPATCH_OIDC_CLIENT_ID: CLIENT_ID,
      DISPATCH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      DISPATCH_PUBLIC_URL: PUBLIC_URL,
      ...env,
    },
  });
}

/** A browser signing in to `h` as `login`, all the way: the hub's answer at the callback. */
async function signIn(h: HubHandle, login: string): Promise<Response> {
  const begun = await fetch(`${h.url}/api/auth/oidc`, { redirect: "manual" });
  expect(begun.status).toBe(302);
  const stateCookie = begun.headers.getSetCookie().find((c) => c.startsWith("dispatch_oidc="));
  const back = await atProvider(begun.headers.get("location") as string, login);
  return fetch(`${h.url}${back.pathname}${back.search}`, {
    redirect: "manual",
    headers: { accept: "text/html", cookie: (stateCookie as string).split(";")[0] as string },
  });
}

/** The login cookie a successful sign-in set (`name=value`). */
function loginCookie(finished: Response): string {
  const login = finished.headers.getSetCookie().find((c) => c.startsWith("dispatch_session="));
  expect(login, `a sign-in (${finished.status})`).toBeDefined();
  return (login as string).split(";")[0] as string;
}

/** Restarts `h`'s hub with its environment changed by `env` (as an operator editing its settings). */
async function restartWith(h: HubHandle, env: Record<string, string>): Promise<void> {
  Object.assign(h.env, env);
  expect((await h.cli(["stop"])).code).toBe(0);
  const started = await h.cli(["start", "--port", "0"]);
  expect(started.code, started.stderr).toBe(0);
}

it("refuses an address the provider did not say it verified, unless the operator opts out", async () => {
  const h = await oidcHub({ DISPATCH_OIDC_ALLOW: "example.com=writer" });
  const unsaid = await signIn(h, "unverified@example.com");
  expect(unsaid.status).toBe(403);
  expect(unsaid.headers.getSetCookie().some((c) => c.startsWith("dispatch_session="))).toBe(false);
  const page = await unsaid.text();
  expect(page).toContain("did not say it verified the address unverified@example.com");
  expect(page).toContain("DISPATCH_OIDC_EMAIL_VERIFIED");
  const denied = await signIn(h, "denied@example.com");
  expect(denied.status).toBe(403);
  expect(await denied.text()).toContain("has not verified the address denied@example.com");

  // A provider that never sends the claim: the operator says so, and only a `false` is refused.
  await restartWith(h, { DISPATCH_OIDC_EMAIL_VERIFIED: "optional" });
  const cookie = loginCookie(await signIn(h, "unverified@example.com"));
  const me = (await (await fetch(`${h.url}/api/me`, { headers: { cookie } })).json()) as {
    principal: unknown;
  };
  expect(me.principal).toMatchObject({ name: "unverified@example.com", via: "oidc" });
  expect((await signIn(h, "denied@example.com")).status).toBe(403);
});

/** How the hub answers a WebSocket upgrade carrying `cookie` that it refuses: status and words. */
function refusedUpgrade(url: string, cookie: string): Promise<{ status: number; message: string }> {
  const socket = new WebSocket(`${url.replace(/^http/, "ws")}/ws`, { headers: { cookie } });
  return new Promise((resolve, reject) => {
    socket.once("open", () => {
      socket.close();
      reject(new Error("the upgrade was accepted"));
    });
    socket.once("unexpected-response", (_request, response) => {
      let body = "";
      response.on("data", (chunk: Buffer) => {
        body += chunk.toString("utf8");
      });
      response.on("end", () => resolve({ status: response.statusCode ?? 0, message: body.trim() }));
    });
    socket.once("error", () => undefined);
  });
}

it("a person taken off the allow-list is refused at their next request and socket once the hub restarts", async () => {
  const h = await oidcHub({ DISPATCH_OIDC_ALLOW: "alice@example.com=writer,bob@example.com=writer" });
  const alice = loginCookie(await signIn(h, "alice@example.com"));
  const bob = loginCookie(await signIn(h, "bob@example.com"));
  const open = await WireClient.open(h.url, { cookie: bob });
  expect((await open.request({ type: "hello", protocol: 1 })).type).toBe("welcome");

  await restartWith(h, { DISPATCH_OIDC_ALLOW: "alice@example.com=writer" });
  const gone = "bob@example.com is no longer on this hub's sign-on allow-list; ask an owner to add it back";
  await waitFor(() => open.closed);
  const request = await fetch(`${h.url}/api/sessions`, { headers: { cookie: bob } });
  expect(request.status).toBe(401);
  expect(((await request.json()) as { error: { message: string } }).error.message).toBe(gone);
  expect(await refusedUpgrade(h.url, bob)).toEqual({ status: 401, message: gone });

  // Alice, still on the list, keeps her sign-in; Bob signing in afresh is told he is not listed.
  expect((await fetch(`${h.url}/api/sessions`, { headers: { cookie: alice } })).status).toBe(200);
  const again = await signIn(h, "bob@example.com");
  expect(again.status).toBe(403);
  expect(await again.text()).toContain("bob@example.com is not on this hub&#39;s allow-list");

  // Sign-on turned off altogether: nobody's sign-in by it works any more.
  await restartWith(h, { DISPATCH_OIDC_ISSUER: "" });
  const off = await fetch(`${h.url}/api/sessions`, { headers: { cookie: alice } });
  expect(off.status).toBe(401);
  expect(((await off.json()) as { error: { message: string } }).error.message).toMatch(
    /^single sign-on is off on this hub, so alice@example.com's sign-in no longer works/,
  );
});

it("a sign-in begun before the hub restarts is finished by the next hub process", async () => {
  const h = await startHub({
    env: {
      DISPATCH_OIDC_ISSUER: issuer,
      DISPATCH_OIDC_CLIENT_ID: CLIENT_ID,
      DISPATCH_OIDC_CLIENT_SECRET: CLIENT_SECRET,
      DISPATCH_OIDC_ALLOW: "alice@example.com=writer",
      DISPATCH_PUBLIC_URL: PUBLIC_URL,
    },
  });
  const begun = await fetch(`${h.url}/api/auth/oidc`, { redirect: "manual" });
  expect(begun.status).toBe(302);
  const stateCookie = begun.headers.getSetCookie().find((c) => c.startsWith("dispatch_oidc="));
  expect(stateCookie).toBeDefined();
  const back = await atProvider(begun.headers.get("location") as string, "alice@example.com");
  expect(back.pathname).toBe("/api/auth/oidc/callback");

  // Another process answers the callback (a cluster's other node, or this hub restarted).
  expect((await h.cli(["stop"])).code).toBe(0);
  expect((await h.cli(["start", "--port", "0"])).code).toBe(0);
  const finished = await fetch(`${h.url}${back.pathname}${back.search}`, {
    redirect: "manual",
    headers: { cookie: (stateCookie as string).split(";")[0] as string },
  });
  expect(finished.status, await finished.clone().text()).toBe(302);
  const login = finished.headers.getSetCookie().find((c) => c.startsWith("dispatch_session="));
  expect(login).toBeDefined();
  const me = (await (
    await fetch(`${h.url}/api/me`, { headers: { cookie: (login as string).split(";")[0] as string } })
  ).json()) as { principal: unknown };
  expect(me.principal).toMatchObject({ name: "alice@example.com", role: "writer", via: "oidc" });

  // A state cookie that was altered, or none, is refused with what to do.
  const forged = await fetch(`${h.url}${back.pathname}${back.search}`, {
    redirect: "manual",
    headers: { cookie: "dispatch_oidc=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA" },
  });
  expect(forged.status).toBe(401);
  expect(((await forged.json()) as { error: { message: string } }).error.message).toBe(
    "this sign-in was not started here or took too long; start again",
  );
});
