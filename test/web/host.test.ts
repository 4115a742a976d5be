/** A session's host dies: the panel shows it unreachable while the link is down, then ended. */
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanupAll, type HubHandle, startHub } from "../harness.js";
import { createSession, launchBrowser, login, openPage } from "./browser.js";

describe("web with a lost host", () => {
  let hub: HubHandle;
  let browser: Browser;

  beforeAll(async () => {
    hub = await startHub();
    browser = await launchBrowser();
  });

  afterAll(async () => {
    await browser?.close();
    await cleanupAll();
  });

  it("shows unreachable, then the session's end", async () => {
    const { page, problems, context } = await openPage(browser, hub.url);
    try {
      await login(page, hub.key);
      await createSession(page, "remote");
      // Record every status the item shows (the unreachable phase may be short).
      await page.evaluate(() => {
        const item = document.querySelector('[data-session="remote"] .status');
        const seen: string[] = [];
        (window as unknown as { __statuses: string[] }).__statuses = seen;
        if (!item) return;
        new MutationObserver(() => seen.push(item.textContent ?? "")).observe(item, {
          characterData: true,
          childList: true,
          subtree: true,
        });
      });
      const host = hub.pids().host;
      expect(host).toBeTypeOf("number");
      process.kill(host as number, "SIGKILL");
      await expect
        .poll(() => page.locator('[data-session="remote"] .status').textContent(), { timeout: 30_000 })
        .toMatch(/exited|orphaned/);
      const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
      expect(statuses.some((s) => s.startsWith("unreachable"))).toBe(true);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
    }
  });
});
