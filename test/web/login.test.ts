import { describe, expect, it } from "vitest";
import { createSession, login, newContext, signIn, webSuite } from "./browser.js";

describe("web login", () => {
  const web = webSuite();

  it("rejects a wrong key with a clear message, then logs in and out", async () => {
    const { page, problems, context } = await web.page();
    await page.getByLabel("Access key").fill("not-the-key");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect.poll(() => page.getByRole("alert").textContent()).toContain("Wrong access key");
    // The browser itself logs the refused request; that one is expected here.
    const unexpected = problems.filter((p) => !/401/.test(p));
    expect(unexpected).toEqual([]);
    problems.length = 0;

    await login(page, web.hub.key);
    const cookies = await context.cookies();
    const session = cookies.find((c) => c.name === "dispatch_session");
    expect(session?.httpOnly).toBe(true);
    expect(session?.sameSite).toBe("Strict");

    // A reload keeps the login (the cookie), without showing the form.
    await page.reload();
    await page.getByRole("navigation", { name: "Sessions" }).waitFor();

    await page.getByRole("button", { name: "Log out" }).click();
    await page.getByLabel("Access key").waitFor();
    expect((await context.cookies()).find((c) => c.name === "dispatch_session")?.value ?? "").toBe("");
    await page.reload();
    await page.getByLabel("Access key").waitFor();
    expect(problems).toEqual([]);
  });

  it("shows the login form on a first visit without console noise", async () => {
    const { page, problems } = await web.page();
    await page.getByLabel("Access key").waitFor();
    await expect.poll(() => page.title()).toBe("dispatch");
    // The hint says where the key is: `dispatch serve` prints the key file's path, not the key.
    const hint = (await page.locator("#key-hint").textContent()) ?? "";
    expect(hint).toContain("prints its path");
    expect(hint).toContain("access.key");
    expect(problems).toEqual([]);
  });

  it("asks a signed-out visitor of a session's link to sign in, then opens that session, without console noise", async () => {
    const owner = await web.page({ signedIn: true });
    await createSession(owner.page, "linked");
    const { page, problems } = await web.page({ url: `${web.hub.url}/#session=linked` });
    await page.getByLabel("Access key").waitFor();
    // Whatever the page asks the hub on arrival has been answered (the old check was a 401).
    await page.waitForLoadState("networkidle");
    await login(page, web.hub.key);
    await page.getByRole("heading", { name: "linked", level: 1 }).waitFor();
    await page.locator('[data-session="linked"] button[aria-current="true"]').waitFor();
    expect(problems).toEqual([]);
  });

  it("opens a signed-in visitor's link on its session without showing the sign-in form first", async () => {
    const owner = await web.page({ signedIn: true });
    await createSession(owner.page, "direct");
    const context = await newContext(web.browser);
    await signIn(context, web.hub);
    const page = await context.newPage();
    // Whether the form was ever in the page, seen by the page itself (no polling gap).
    await page.addInitScript(() => {
      new MutationObserver(() => {
        if (document.getElementById("login-title")) (window as { formShown?: boolean }).formShown = true;
      }).observe(document, { childList: true, subtree: true });
    });
    const problems: string[] = [];
    page.on("console", (msg) => problems.push(`${msg.type()}: ${msg.text()}`));
    await page.goto(`${web.hub.url}/#session=direct`);
    await page.locator('[data-session="direct"] button[aria-current="true"]').waitFor();
    expect(await page.evaluate(() => (window as { formShown?: boolean }).formShown ?? false)).toBe(false);
    // Not even the browser's note that the form's autofocus was dropped when the sessions came.
    expect(problems).toEqual([]);
    await context.close();
  });

  // Last in this file: it blocks logins from this address for the rest of the minute.
  it("says so when wrong keys are slowed, and still takes the right key", async () => {
    const { page } = await web.page();
    const alert = page.getByRole("alert");
    for (let attempt = 0; attempt < 8; attempt++) {
      await page.getByLabel("Access key").fill(`wrong-${attempt}`);
      await page.getByRole("button", { name: "Sign in" }).click();
      await page.getByRole("button", { name: "Sign in" }).waitFor();
      if (/slowed/i.test((await alert.textContent()) ?? "")) break;
    }
    await expect.poll(() => alert.textContent()).toMatch(/Wrong access key\. \d+ failed attempts .*slowed/);
    await login(page, web.hub.key);
  });
});
