/**
 * Addresses a person is sent: share links (read-only and writable), a link that no longer
 * opens, and `#session=NAME` naming a session the hub does not have.
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { enterLine, login, TEST_SHELL, waitForLine, webSuite } from "./browser.js";

describe("web links", () => {
  const web = webSuite({ reuseTabs: true });

  /** A shell session, through the REST API (quicker than the CLI on a loaded machine). */
  async function createShell(name: string): Promise<void> {
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      body: JSON.stringify({ name, command: TEST_SHELL.split(" "), cwd: tmpdir() }),
    });
    expect(created.status, await created.clone().text()).toBeLessThan(300);
  }

  /** A share link to `name`: its URL, and its id to revoke it by. */
  async function share(name: string, write = false): Promise<{ url: string; id: string }> {
    const response = await web.hub.api(`/api/sessions/${name}/share`, {
      method: "POST",
      body: JSON.stringify({ write }),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    const body = (await response.json()) as { url: string; share: { id: string } };
    return { url: body.url, id: body.share.id };
  }

  it("opens share links for watching or typing, with only what a link may do", async () => {
    await createShell("pair");
    const viewer = await share("pair");
    const writer = await share("pair", true);

    // A read-only link: the session, marked read-only, and nothing it may not do.
    const { page, problems } = await web.page({ url: viewer.url });
    await page.getByRole("heading", { name: "pair", level: 1 }).waitFor();
    const item = page.locator('[data-session="pair"]');
    const badge = item.locator(".read-only");
    await badge.waitFor();
    // The badge sits beside the age, not over it.
    const [badgeBox, ageBox] = await Promise.all([badge.boundingBox(), item.locator(".age").boundingBox()]);
    expect(badgeBox && ageBox && badgeBox.x >= ageBox.x + ageBox.width).toBe(true);
    // A link reaches its one session: no creating sessions, no hosts.
    expect(await page.getByRole("button", { name: "+ New" }).count()).toBe(0);
    expect(await page.getByRole("region", { name: "Hosts" }).count()).toBe(0);

    // A writable link types into the session.
    await page.goto(writer.url);
    await page.getByRole("heading", { name: "pair", level: 1 }).waitFor();
    await page.locator("[data-terminal] .xterm").first().click();
    await enterLine(page, "echo typed-$((3 * 4))");
    await waitForLine(page, "pair", /^typed-12$/);
    // It types, but renaming, killing or reviving the session is its owner's: not offered.
    await page.getByRole("button", { name: "Kill pair" }).waitFor({ state: "detached" });
    expect(await page.getByRole("button", { name: "Rename pair" }).count()).toBe(0);
    expect(await item.locator(".read-only").count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("says why a revoked share link does not open, on the page instead of an error body", async () => {
    await createShell("gone");
    const link = await share("gone");
    const revoked = await web.hub.api(`/api/shares/${link.id}`, { method: "DELETE" });
    expect(revoked.status).toBe(200);
    // A browser that never signed in: the login form, saying what happened to the link.
    const { page, problems } = await web.page({ url: link.url });
    await page
      .getByRole("status")
      .filter({ hasText: "This share link is unknown, expired or revoked" })
      .waitFor();
    await page.getByLabel("Access key").waitFor();
    expect(page.url()).toBe(`${web.hub.url}/`);
    expect(problems).toEqual([]);
  });

  it("says so when the address names no session, and follows a link opened in the tab", async () => {
    await createShell("there");
    const { page, problems } = await web.page();
    await page.goto(`${web.hub.url}/#session=not-there`);
    await login(page, web.hub.key);
    await page.getByRole("alert").filter({ hasText: "There is no session named not-there" }).waitFor();
    expect(await page.getByRole("heading", { level: 1 }).textContent()).toBe("dispatch");

    // A link to a session that exists, followed in the same tab (only the fragment changes).
    await page.evaluate(() => {
      location.hash = "#session=there";
    });
    await page.getByRole("heading", { name: "there", level: 1 }).waitFor();
    await page.getByRole("alert").filter({ hasText: "no session named" }).waitFor({ state: "hidden" });
    await enterLine(page, "echo here-$((6 + 1))");
    await waitForLine(page, "there", /^here-7$/);
    expect(problems).toEqual([]);
  });
});
