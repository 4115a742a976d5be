/**
 * An owner makes someone a viewer of a session that person's page is not attached to: the
 * page's session list marks it read-only at once, and still after a reload, and no longer once
 * the grant is taken back. Before, the hub told a role change only for attached sessions, and
 * the page learnt its role on a session only by attaching: the badge stayed as it was.
 *
 * Real hub, host, PTYs and WebSockets; two browser contexts, the owner's and the person's.
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";
import { personPage } from "./personPage.js";

describe("web session list: a role changed on a session the page is not attached to", () => {
  const web = webSuite();

  it("shows the read-only badge at once, after a reload, and takes it away again", async () => {
    for (const name of ["open", "other"]) {
      const created = await web.hub.api("/api/sessions", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ name, command: ["sleep", "600"] }),
      });
      expect(created.status).toBe(201);
    }
    const added = await web.hub.api("/api/users", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "val", role: "writer" }),
    });
    const { token } = (await added.json()) as { token: string };

    // The owner's browser: it makes the changes, as signed in there.
    const owner = await web.page({ signedIn: true });
    const setGrant = async (role: string) => {
      const response = await owner.context.request.patch(`${web.hub.url}/api/users/val`, {
        data: { role, session: "other" },
      });
      expect(response.status(), await response.text()).toBe(200);
    };

    // Val's browser: attached to `open` only.
    const { page, problems } = await personPage(web, token, "open");
    await page.getByRole("heading", { name: "open", level: 1 }).waitFor();
    const badge = (p: Page) => p.locator('[data-session="other"] .read-only');
    expect(await badge(page).count()).toBe(0);

    await setGrant("viewer");
    await badge(page).waitFor();
    await page.getByText("You can only watch 'other' now: an owner made you a viewer there.").waitFor();
    // `open` keeps val's global role.
    expect(await page.locator('[data-session="open"] .read-only').count()).toBe(0);

    await page.reload();
    await page.getByRole("heading", { name: "open", level: 1 }).waitFor();
    await badge(page).waitFor();

    await setGrant("none");
    await badge(page).waitFor({ state: "detached" });
    expect(problems).toEqual([]);
    expect(owner.problems).toEqual([]);
  }, 90_000);
});
