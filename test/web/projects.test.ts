/**
 * Projects in the browser: sessions tagged with their project (as `dispatch up` creates them),
 * on the hub's own host and a real remote one, grouped under one heading per project in the
 * session panel; switching the current project from the panel and from the palette shows
 * only its sessions, opens one of them, and is remembered across a reload.
 */
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import { waitFor } from "../harness.js";
import { type RemoteHost, startRemoteHost, webSuite } from "./browser.js";

describe("web projects", () => {
  const web = webSuite();
  let remote: RemoteHost | undefined;

  afterAll(() => remote?.dispose());

  it("groups sessions by project across hosts and switches the current project", async () => {
    const hub = web.hub;
    remote = await startRemoteHost(hub, "h1");
    await waitFor(
      async () => {
        const body = (await (await hub.api("/api/hosts/h1")).json()) as { host?: { status: string } };
        return body.host?.status === "connected";
      },
      { timeoutMs: 20_000, message: "h1 connected" },
    );
    for (const [name, host, project] of [
      ["shop-db", "local", "shop"],
      ["shop-worker", "h1", "shop"],
      ["blog-web", "local", "blog"],
      ["loose", "local", undefined],
    ] as const) {
      const created = await hub.api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({
          name,
          host,
          cwd: tmpdir(),
          command: ["sleep", "600"],
          ...(project ? { project: { name: project, declaration: "test" } } : {}),
        }),
      });
      expect(created.status, await created.clone().text()).toBe(201);
    }

    const { page, problems } = await web.page({ login: true });
    const panel = page.getByRole("navigation", { name: "Sessions" });
    const shop = panel.getByRole("region", { name: "Project shop" });
    const blog = panel.getByRole("region", { name: "Project blog" });
    const none = panel.getByRole("region", { name: "Sessions in no project" });
    const names = (region: typeof shop) =>
      region.locator("[data-session]").evaluateAll((els) => els.map((el) => el.getAttribute("data-session")));
    // One group per project, named projects first; a project's sessions on both hosts together.
    await expect.poll(() => names(shop)).toEqual(["shop-db", "shop-worker"]);
    await expect.poll(() => names(blog)).toEqual(["blog-web"]);
    await expect.poll(() => names(none)).toEqual(["loose"]);
    await expect.poll(() => shop.locator('[data-session="shop-worker"] .host').textContent()).toBe("h1");
    const headings = await panel.locator("section h3 .project").allTextContents();
    expect(headings).toEqual(["blog", "shop", "No project"]);

    // Switching to a project from the panel shows only its sessions and opens one of them.
    await panel.getByLabel("Current project").selectOption("shop");
    await expect.poll(() => panel.locator("[data-session]").count()).toBe(2);
    await page.getByRole("heading", { name: "shop-db", level: 1 }).waitFor();
    expect(await blog.count()).toBe(0);

    // Remembered across a reload.
    await page.reload();
    await expect.poll(() => panel.getByLabel("Current project").inputValue()).toBe("shop");
    await expect
      .poll(() => names(panel.getByRole("region", { name: "Project shop" })))
      .toEqual(["shop-db", "shop-worker"]);

    // The palette switches projects too, and back to all of them. (A focused terminal keeps
    // Ctrl+K for the shell, so the palette is opened from its button.)
    await page.getByRole("button", { name: "Command palette" }).click();
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.getByRole("combobox").fill("project blog");
    await expect
      .poll(() => palette.getByRole("option").first().textContent())
      .toContain("Switch to project blog");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "blog-web", level: 1 }).waitFor();
    await expect
      .poll(() =>
        panel
          .locator("[data-session]")
          .evaluateAll((els) => els.map((el) => el.getAttribute("data-session"))),
      )
      .toEqual(["blog-web"]);

    await page.getByRole("button", { name: "Command palette" }).click();
    await palette.getByRole("combobox").fill("every project");
    await expect
      .poll(() => palette.getByRole("option").first().textContent())
      .toContain("Show every project");
    await page.keyboard.press("Enter");
    await expect.poll(() => panel.locator("[data-session]").count()).toBe(4);
    expect(problems).toEqual([]);
  });
});
