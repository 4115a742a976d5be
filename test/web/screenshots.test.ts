/**
 * Refreshes docs/screenshots (login, main view, phone). Runs only with
 * DISPATCH_SCREENSHOTS=1, so ordinary test runs leave the working tree alone:
 *   npm run build && DISPATCH_SCREENSHOTS=1 npx vitest run test/web/screenshots.test.ts
 */
import { resolve } from "node:path";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, it } from "vitest";
import { cleanupAll, type HubHandle, REPO_ROOT, startHub } from "../harness.js";
import { createSession, launchBrowser, login, openPage, typeLine, waitForLine } from "./browser.js";

const OUT = resolve(REPO_ROOT, "docs/screenshots");

describe.skipIf(!process.env.DISPATCH_SCREENSHOTS)("screenshots", () => {
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

  it("captures the main views", async () => {
    const desktop = await openPage(browser, hub.url, { viewport: { width: 1100, height: 640 } });
    const { page } = desktop;
    await page.getByLabel("Access key").waitFor();
    await page.screenshot({ path: `${OUT}/login.png` });

    await login(page, hub.key);
    await createSession(page, "api-server");
    await typeLine(page, 'for i in 1 2 3; do echo "GET /api/items/$i 200 $((i * 7))ms"; done');
    await waitForLine(page, "api-server", /items\/3 200/);
    await createSession(page, "tests");
    await typeLine(
      page,
      "printf '\\033[32m✓\\033[0m store appends 100k events\\n\\033[32m✓\\033[0m replay after seq\\n'",
    );
    await createSession(page, "build");
    await typeLine(
      page,
      "printf '\\033[1;34mbuilding\\033[0m web/dist\\n\\033[33mwarning\\033[0m none\\n\\033[1;32mdone\\033[0m in 1.7s\\n'; ls -la /usr | head -12",
    );
    await waitForLine(page, "build", /done in 1.7s/);
    await page.locator('[data-session="tests"] .unread').count();
    await page.waitForTimeout(300);
    await page.screenshot({ path: `${OUT}/main.png` });
    await desktop.context.close();

    const context = await browser.newContext({
      viewport: { width: 390, height: 720 },
      isMobile: true,
      hasTouch: true,
    });
    const phone = await openPage(browser, hub.url, { context });
    await login(phone.page, hub.key);
    await phone.page.locator('[data-session="build"] button.select').click();
    await phone.page.getByRole("toolbar", { name: "Terminal keys" }).waitFor();
    await phone.page.waitForTimeout(300);
    await phone.page.screenshot({ path: `${OUT}/phone.png` });
    await phone.page.getByRole("button", { name: "Sessions", exact: true }).click();
    await phone.page.waitForTimeout(400);
    await phone.page.screenshot({ path: `${OUT}/phone-drawer.png` });
    await context.close();
  });
});
