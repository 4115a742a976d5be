/**
 * The owner's audit view: the trail from `GET /api/audit` in an overlay, newest first,
 * filtered by session; a writer signed in with their own token sees no such view (and the
 * hub refuses them the trail anyway).
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";

describe("web audit view", () => {
  const web = webSuite();

  it("shows an owner who did what, filtered by session; a writer gets no audit view", async () => {
    const hub = web.hub;
    for (const name of ["build", "other"]) {
      const created = await hub.api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name, command: ["sleep", "60"], cwd: tmpdir() }),
      });
      expect(created.status, await created.clone().text()).toBeLessThan(300);
    }
    const renamed = await hub.api("/api/sessions/other", {
      method: "PATCH",
      body: JSON.stringify({ name: "other2" }),
    });
    expect(renamed.status).toBe(200);

    const { page, problems } = await web.page({ login: true });
    await page.getByRole("button", { name: "Audit", exact: true }).click();
    const dialog = page.getByRole("dialog", { name: "Audit trail" });
    const rows = dialog.getByRole("table", { name: "Audit events" }).locator("tbody tr");
    const actions = () => rows.evaluateAll((els) => els.map((e) => e.getAttribute("data-action")));
    // Newest first: the rename, then both creates, and the browser's own sign-in.
    await expect.poll(actions, { timeout: 15_000 }).toContain("sign-in");
    const all = await actions();
    expect(all.indexOf("rename")).toBeLessThan(all.indexOf("create"));
    expect(all.filter((a) => a === "create")).toHaveLength(2);
    // Sessions by their current names, not their ids.
    expect(await dialog.locator('tr[data-action="rename"] .session').textContent()).toBe("other2");

    await dialog.getByLabel("Filter by session").fill("build");
    await dialog.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => dialog.locator("tbody .session").allTextContents()).toEqual(["build"]);
    expect(await actions()).toEqual(["create"]);

    // A filter naming no session says so (not "No events", which would read as "nothing
    // happened there").
    await dialog.getByLabel("Filter by session").fill("nosuch");
    await dialog.getByRole("button", { name: "Show" }).click();
    await expect.poll(() => dialog.getByRole("alert").textContent()).toMatch(/^no session 'nosuch'/);
    await page.keyboard.press("Escape");
    await expect.poll(() => dialog.isVisible()).toBe(false);
    // The unknown session's 404, which chromium logs, is the one expected.
    expect(problems.filter((p) => !p.includes("status of 404"))).toEqual([]);

    // A writer, signed in with their own token: no audit button, and no trail from the hub.
    const added = await hub.api("/api/users", {
      method: "POST",
      body: JSON.stringify({ name: "wendy", role: "writer" }),
    });
    expect(added.status).toBe(201);
    const { token } = (await added.json()) as { token: string };
    const writer = await web.page();
    await writer.page.getByLabel("Access key").fill(token);
    await writer.page.getByRole("button", { name: "Sign in" }).click();
    await writer.page.locator('[data-session="build"]').waitFor();
    // Once the page knows who it is (before that no one's controls are owner's).
    await expect.poll(() => writer.page.evaluate(() => window.__dispatch?.role() ?? null)).toBe("writer");
    expect(await writer.page.getByRole("button", { name: "Audit", exact: true }).count()).toBe(0);
    const refused = await fetch(`${hub.url}/api/audit`, { headers: { authorization: `Bearer ${token}` } });
    expect(refused.status).toBe(403);
  });
});
