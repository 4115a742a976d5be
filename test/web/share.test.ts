/**
 * Sharing and roles in the web UI, on a real hub with real WebSockets and chromium: the Share
 * dialog makes a read-only link (copied to the clipboard), a second browser opening it sees the
 * session read-only and its keys go nowhere, and the link is listed and revoked in the dialog;
 * a person whose role an owner changes while their page is open sees a workspace's write
 * controls go and come back at once (Interrupt, the editor, the note saying why).
 */
import { tmpdir } from "node:os";
import { describe, expect, it } from "vitest";
import { enterLine, newContext, TEST_SHELL, typeLine, waitForLine, webSuite } from "./browser.js";

/** Kernel start on 2 shared cores: generous, since nothing here is timed. */
const KERNEL_MS = 60_000;
const TEST_MS = 180_000;

describe("web sharing and roles", () => {
  const web = webSuite({ reuseTabs: true });

  async function api(path: string, method: string, body?: unknown): Promise<Response> {
    const response = await web.hub.api(path, {
      method,
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    expect(response.status, await response.clone().text()).toBeLessThan(300);
    return response;
  }

  it(
    "makes a read-only link in the Share dialog that a second browser opens and cannot type into, then revokes it",
    async () => {
      await api("/api/sessions", "POST", { name: "pair", command: TEST_SHELL.split(" "), cwd: tmpdir() });
      const { page, problems } = await web.page({ signedIn: true });
      await page.locator('[data-session="pair"] button.select').click();
      await page.getByRole("heading", { name: "pair", level: 1 }).waitFor();

      await page.getByRole("button", { name: "Share" }).click();
      const dialog = page.getByRole("dialog", { name: "Share pair" });
      expect(await dialog.getByLabel("watch it (read-only)").isChecked()).toBe(true);
      await dialog.getByLabel("Link works").selectOption("1h");
      await dialog.getByLabel("For (optional)").fill("ada");
      await dialog.getByRole("button", { name: "Create link" }).click();
      const box = dialog.getByLabel("Share link", { exact: true });
      await box.waitFor();
      const url = await box.inputValue();
      expect(url).toMatch(/\/share\/dps_/);
      await dialog.getByRole("button", { name: "Copy" }).click();
      await dialog.getByRole("button", { name: "Copied" }).waitFor();
      expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(url);
      const links = dialog.getByRole("list", { name: "Share links" }).locator("li");
      await expect.poll(() => links.count()).toBe(1);
      expect(await links.first().textContent()).toContain("read-only");
      expect(await links.first().textContent()).toContain("for ada");

      // Another browser, never signed in, opens the link: the session, read-only, keys refused.
      const visitor = await web.page({ url });
      await visitor.page.getByRole("heading", { name: "pair", level: 1 }).waitFor();
      await visitor.page.getByRole("note", { name: "Read-only", exact: true }).waitFor();
      // Named by the label the owner gave the link, not by its id.
      await expect
        .poll(async () => (await web.hub.cli(["who", "pair"])).stdout)
        .toMatch(/^ada \(link\)\s+viewer/m);
      expect(await visitor.page.getByRole("button", { name: "Share" }).count()).toBe(0);
      await visitor.page.locator("[data-terminal] .xterm").first().click();
      await typeLine(visitor.page, "echo visitor-$((6 * 7))");
      await visitor.page.getByText("You can watch 'pair' but not type into it").waitFor();
      // The owner's keys reach the shell and both pages; the visitor's never did.
      await dialog.getByRole("button", { name: "Close" }).click();
      await page.locator("[data-terminal] .xterm").first().click();
      await enterLine(page, "echo owner-$((1 + 1))");
      await waitForLine(visitor.page, "pair", /^owner-2$/);
      expect((await web.hub.cli(["logs", "pair"])).stdout).not.toContain("visitor-");
      expect(visitor.problems).toEqual([]);

      // Revoked from the dialog: gone from its list and from the hub.
      await page.getByRole("button", { name: "Share" }).click();
      const again = page.getByRole("dialog", { name: "Share pair" });
      await again.getByRole("button", { name: /^Revoke the read-only link/ }).click();
      await again.getByText("No live links to this session.").waitFor();
      const { shares } = (await (await api("/api/shares", "GET")).json()) as { shares: unknown[] };
      expect(shares).toEqual([]);
      expect(problems).toEqual([]);
    },
    TEST_MS,
  );

  it(
    "takes a workspace's write controls away the moment an owner makes the page's person a viewer, and back",
    async () => {
      const added = await api("/api/users", "POST", { name: "val", role: "writer" });
      const { token } = (await added.json()) as { token: string };
      await api("/api/sessions", "POST", { name: "nb", kind: "workspace", options: { kernel: "python3" } });

      const context = await newContext(web.browser);
      const login = await context.request.post(`${web.hub.url}/api/login`, { data: { key: token } });
      expect(login.ok()).toBe(true);
      // A load at the session's address: the page asks the hub who its cookie is.
      const { page, problems } = await web.page({ context, url: `${web.hub.url}/#session=nb` });
      const ws = page.getByRole("region", { name: "Workspace nb" });
      const state = ws.getByRole("status", { name: "Execution state" });
      await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
      const interrupt = ws.getByRole("button", { name: "Interrupt" });
      await interrupt.waitFor();
      const editor = ws.locator(".cm-content");
      await editor.click();
      await page.keyboard.type("a = 1");
      await expect.poll(() => editor.textContent()).toContain("a = 1");

      await api("/api/users/val", "PATCH", { role: "viewer" });
      await page.getByText("You can only watch 'nb' now: an owner made you a viewer there.").waitFor();
      await interrupt.waitFor({ state: "detached" });
      await ws.getByRole("note").filter({ hasText: "Read-only:" }).waitFor();
      await page.getByRole("note", { name: "Read-only", exact: true }).waitFor();
      await editor.click();
      await page.keyboard.type("zz");
      await page.keyboard.press("Control+Enter");
      expect(await editor.textContent()).not.toContain("zz");
      expect(await ws.getByRole("article").count()).toBe(0);

      await api("/api/users/val", "PATCH", { role: "writer" });
      await page.getByText("You can type into 'nb' now: an owner gave you write access.").waitFor();
      await interrupt.waitFor();
      expect(await page.getByRole("note", { name: "Read-only", exact: true }).count()).toBe(0);
      await editor.click();
      await page.keyboard.type("b");
      await expect.poll(() => editor.textContent()).toContain("b");
      expect(problems).toEqual([]);
    },
    TEST_MS,
  );
});
