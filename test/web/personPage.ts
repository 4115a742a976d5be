/**
 * A page of a person other than the hub's owner: a browser context of its own, signed in by the
 * person's token (`POST /api/login` sets the cookie), loaded fresh at a session's address.
 */
import { newContext, type TestPage, type WebSuite } from "./browser.js";

export async function personPage(web: WebSuite, token: string, session: string): Promise<TestPage> {
  const context = await newContext(web.browser);
  const login = await context.request.post(`${web.hub.url}/api/login`, { data: { key: token } });
  if (!login.ok()) throw new Error(`sign-in by token: HTTP ${login.status()} ${await login.text()}`);
  const opened = await web.page({ context });
  // A fresh load at the session's address: the page asks the hub who its cookie is.
  await opened.page.goto("about:blank");
  await opened.page.goto(`${web.hub.url}/#session=${session}`);
  return opened;
}
