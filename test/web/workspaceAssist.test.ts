/**
 * Completion and documentation from the live kernel in the workspace's editor, in chromium on
 * a real python3 kernel: Tab after a dotted name lists the kernel's completions and Tab takes
 * one; Ctrl+Space asks too; Shift+Tab shows the kernel's documentation of the name under the
 * cursor, and Escape closes it; Tab at the start of a line still indents. The bar shows the
 * kernel process's pid and memory.
 */
import { describe, expect, it } from "vitest";
import { webSuite } from "./browser.js";

const KERNEL_MS = 30_000;

describe("web workspace: kernel completion and documentation", () => {
  const web = webSuite();

  it("completes from the kernel with Tab and Ctrl+Space, and shows its docs with Shift+Tab", {
    timeout: 150_000,
  }, async () => {
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ name: "assist", kind: "workspace", options: { kernel: "python3" } }),
    });
    expect(created.status).toBeLessThan(300);
    const { page, problems } = await web.page({ login: true });
    await page.locator('[data-session="assist"] button.select').click();
    const ws = page.getByRole("region", { name: "Workspace assist" });
    const state = ws.getByRole("status", { name: "Execution state" });
    await expect.poll(() => state.textContent(), { timeout: KERNEL_MS }).toContain("idle");
    const evals = ws.getByRole("log", { name: "Evaluations" }).locator("article");
    const editor = ws.locator(".cm-content");

    // A variable the kernel has, with a name no editor could guess.
    await editor.click();
    await page.keyboard.type("import collections; zebra_total = 42");
    await page.keyboard.press("Control+Enter");
    await expect.poll(() => evals.last().getAttribute("data-status"), { timeout: KERNEL_MS }).toBe("ok");

    // Tab after a dotted name: the kernel's completions; Tab again takes the selected one.
    await page.keyboard.press("Enter");
    await page.keyboard.type("collections.Ordered");
    await page.keyboard.press("Tab");
    const options = page.locator(".cm-tooltip-autocomplete li");
    await expect.poll(() => options.allTextContents(), { timeout: KERNEL_MS }).toContain("OrderedDict");
    await page.keyboard.press("Tab");
    await expect.poll(() => editor.textContent()).toContain("collections.OrderedDict");
    await expect.poll(() => options.count()).toBe(0);

    // Ctrl+Space asks as well: the kernel's own variable.
    await page.keyboard.press("Enter");
    await page.keyboard.type("zebra_t");
    await page.keyboard.press("Control+Space");
    await expect.poll(() => options.allTextContents(), { timeout: KERNEL_MS }).toEqual(["zebra_total"]);
    await page.keyboard.press("Enter");
    await expect.poll(() => editor.textContent()).toContain("zebra_total");

    // Jupyter counts the cursor in code points, the editor in UTF-16 units: past an emoji (two
    // units, one code point) the completion still replaces exactly the name typed.
    await page.keyboard.press("Enter");
    await page.keyboard.type('"😀".upp');
    await page.keyboard.press("Tab");
    await expect.poll(() => options.allTextContents(), { timeout: KERNEL_MS }).toEqual(["upper"]);
    await page.keyboard.press("Tab");
    await expect.poll(() => ws.locator(".cm-line").last().textContent()).toBe('"😀".upper');

    // Shift+Tab: the kernel's documentation of the name under the cursor; Escape closes it.
    await page.keyboard.press("Enter");
    await page.keyboard.type("collections.OrderedDict");
    await page.keyboard.press("Shift+Tab");
    const doc = page.getByRole("note", { name: "Documentation" });
    await expect
      .poll(() => doc.textContent(), { timeout: KERNEL_MS })
      .toContain("Dictionary that remembers insertion order");
    expect(await doc.getAttribute("data-found")).toBe("true");
    await page.keyboard.press("Escape");
    await expect.poll(() => doc.count()).toBe(0);

    // A name the kernel does not know: the tooltip says so.
    await page.keyboard.press("Enter");
    await page.keyboard.type("no_such_name_here");
    await page.keyboard.press("Shift+Tab");
    await expect
      .poll(() => doc.textContent(), { timeout: KERNEL_MS })
      .toContain("The kernel knows nothing here.");
    // Typing closes it.
    await page.keyboard.type("x");
    await expect.poll(() => doc.count()).toBe(0);

    // Tab at the start of a line still indents.
    await page.keyboard.press("Enter");
    await page.keyboard.press("Tab");
    await page.keyboard.type("pass");
    const lastLine = ws.locator(".cm-line").last();
    await expect.poll(() => lastLine.textContent()).toMatch(/^\s+pass$/);

    // The bar shows the kernel process: its pid and memory, from the host.
    const pid = (
      (await (await web.hub.api("/api/sessions/assist")).json()) as { session: { options: { pid: number } } }
    ).session.options.pid;
    const figures = ws.getByRole("status", { name: "Kernel process" });
    await expect
      .poll(() => figures.textContent(), { timeout: KERNEL_MS })
      .toMatch(new RegExp(`pid ${pid} · \\d+ MiB`));
    expect(problems).toEqual([]);
  });
});
