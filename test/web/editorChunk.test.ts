/**
 * The editor's CodeMirror and Yjs come in their own chunk, fetched when an editor session is
 * first opened: a page that shows only terminals does not download them, and the editor shows
 * its file once the chunk is in.
 */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { afterAll, describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";

const root = mkdtempSync(join(tmpdir(), "dispatch-web-chunk-"));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** The scripts the page has fetched so far. */
function scripts(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    performance
      .getEntriesByType("resource")
      .map((entry) => new URL(entry.name).pathname)
      .filter((path) => path.endsWith(".js")),
  );
}

describe("the editor's code-split chunk", () => {
  const web = webSuite({ env: { DISPATCH_EDITOR_ROOTS: root } });

  it("is fetched only when an editor session opens, which then shows its file", async () => {
    const file = join(root, "notes.txt");
    writeFileSync(file, "chunked\n");
    for (const body of [{ name: "shell" }, { kind: "editor", name: "notes", options: { path: file } }]) {
      const created = await web.hub.api("/api/sessions", { method: "POST", body: JSON.stringify(body) });
      expect(created.status).toBe(201);
    }
    const { page, problems } = await web.page({ url: `${web.hub.url}/#session=shell`, signedIn: true });
    await page.getByRole("heading", { name: "shell", level: 1 }).waitFor();
    const first = await scripts(page);

    await page.locator('[data-session="notes"] button.select').click();
    await expect.poll(() => page.locator(".cm-content").textContent(), { timeout: 20_000 }).toBe("chunked");
    const added = (await scripts(page)).filter((path) => !first.includes(path));
    // Before the split the editor was in the page's one script: nothing more was fetched.
    expect(added.length).toBeGreaterThan(0);
    expect(problems).toEqual([]);
  });
});
