/**
 * Addresses a person is sent: share links (read-only and writable), a link that no longer
 * opens, and `#session=NAME` naming a session the hub does not have.
 */
import { describe, expect, it } from "vitest";
import { login, TEST_SHELL, terminalLines, typeLine, waitForLine, webSuite } from "./browser.js";

describe("web links", () => {
  const web = webSuite();

  /** `dispatch share NAME [...flags]`: the link, and the id to revoke it by. */
  async function share(name: string, ...flags: string[]): Promise<{ url: string; id: string }> {
    const result = await web.hub.cli(["share", name, ...flags]);
    expect(result.code, result.stderr).toBe(0);
    const id = /share revoke (\w+)/.exec(result.stderr)?.[1];
    if (!id) throw new Error(`no link id in: ${result.stderr}`);
    return { url: result.stdout.trim(), id };
  }

  it("opens share links for watching or typing, and says why a dead one does not open", async () => {
    const created = await web.hub.cli(["new", "--name", "pair", "--", ...TEST_SHELL.split(" ")]);
    expect(created.code, created.stderr).toBe(0);
    const viewer = await share("pair");
    const writer = await share("pair", "--write");

    // A read-only link: the session, marked read-only, and nothing it may not do.
    const guest = await web.page();
    await guest.page.goto(viewer.url);
    await guest.page.getByRole("heading", { name: "pair", level: 1 }).waitFor();
    const item = guest.page.locator('[data-session="pair"]');
    const badge = item.locator(".read-only");
    await badge.waitFor();
    // The badge sits beside the age, not over it.
    const [badgeBox, ageBox] = await Promise.all([badge.boundingBox(), item.locator(".age").boundingBox()]);
    expect(badgeBox && ageBox && badgeBox.x >= ageBox.x + ageBox.width).toBe(true);
    // A link reaches its one session: no creating sessions, no hosts.
    expect(await guest.page.getByRole("button", { name: "+ New" }).count()).toBe(0);
    expect(await guest.page.getByRole("region", { name: "Hosts" }).count()).toBe(0);

    // A writable link types into the session.
    await guest.page.goto(writer.url);
    await guest.page.getByRole("heading", { name: "pair", level: 1 }).waitFor();
    await guest.page.locator("[data-terminal] .xterm").first().click();
    await typeLine(guest.page, "echo typed-$((3 * 4))");
    await waitForLine(guest.page, "pair", /^typed-12$/);

    // A revoked link, opened in a browser that never signed in: the page says what happened.
    const revoked = await web.hub.cli(["share", "revoke", viewer.id]);
    expect(revoked.code, revoked.stderr).toBe(0);
    const stranger = await web.page();
    await stranger.page.goto(viewer.url);
    await stranger.page
      .getByRole("status")
      .filter({ hasText: "This share link is unknown, expired or revoked" })
      .waitFor();
    await stranger.page.getByLabel("Access key").waitFor();
    expect(stranger.page.url()).toBe(`${web.hub.url}/`);
    expect(guest.problems).toEqual([]);
    expect(stranger.problems).toEqual([]);
  });

  it("says so when the address names no session, and follows a link opened in the tab", async () => {
    const created = await web.hub.cli(["new", "--name", "there", "--", ...TEST_SHELL.split(" ")]);
    expect(created.code, created.stderr).toBe(0);
    const { page, problems } = await web.page({ login: false });
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
    await typeLine(page, "echo here-$((6 + 1))");
    await waitForLine(page, "there", /^here-7$/);
    expect(await terminalLines(page, "there")).toContain("here-7");
    expect(problems).toEqual([]);
  });
});
