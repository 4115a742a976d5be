/**
 * Keys the browser keeps: Ctrl+W (delete a word in the shell) closes the tab before the page
 * sees it. While a terminal has focus the page asks before it goes; elsewhere it just goes.
 */
import { describe, expect, it } from "vitest";
import { createSession, typeLine, waitForLine, webSuite } from "./browser.js";

describe("web leaving the page", () => {
  const web = webSuite();

  it("asks before the tab closes while a terminal has focus, not elsewhere", async () => {
    const { page, problems } = await web.page({ login: true });
    await createSession(page, "words");
    await typeLine(page, "echo typed-$((6 * 7))");
    await waitForLine(page, "words", /^typed-42$/);

    // Closing the tab (what Ctrl+W does in the browser's hands) while typing: asked, and
    // staying keeps the page and its terminal.
    const asked = Promise.race([
      page.waitForEvent("dialog").catch(() => undefined),
      page.waitForEvent("close").then(() => undefined),
    ]);
    await page.close({ runBeforeUnload: true });
    const dialog = await asked;
    expect(dialog?.type(), "the tab closed without asking").toBe("beforeunload");
    await dialog?.dismiss();
    await typeLine(page, "echo still-$((1 + 1))");
    await waitForLine(page, "words", /^still-2$/);

    // Focus in the session list's filter: the tab closes without asking.
    await page.getByPlaceholder("Filter by name").click();
    page.on("dialog", (d) => {
      problems.push(`asked again: ${d.type()}`);
      void d.accept();
    });
    const closed = new Promise<void>((resolve) => page.once("close", () => resolve()));
    await page.close({ runBeforeUnload: true });
    await closed;
    expect(problems).toEqual([]);
  });
});
