/**
 * A session's host dies: the panel shows it unreachable while the link is down, then ended, and
 * the terminal says why it ended (no code or signal is known of a process its host took along).
 */
import { describe, expect, it } from "vitest";
import { createSession, terminalLines, waitForLine, webSuite } from "./browser.js";

describe("web with a lost host", () => {
  const web = webSuite();

  it("shows unreachable, then the session's end", async () => {
    const { page, problems } = await web.page({ login: true });
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
    const host = web.hub.pids().host;
    expect(host).toBeTypeOf("number");
    process.kill(host as number, "SIGKILL");
    await expect
      .poll(() => page.locator('[data-session="remote"] .status').textContent(), { timeout: 30_000 })
      .toMatch(/exited|orphaned/);
    const statuses = await page.evaluate(() => (window as unknown as { __statuses: string[] }).__statuses);
    expect(statuses.some((s) => s.startsWith("unreachable"))).toBe(true);
    await waitForLine(page, "remote", /^\[session ended: host lost\]$/);
    expect(await terminalLines(page, "remote")).not.toContainEqual(expect.stringMatching(/signal null/));
    expect(problems).toEqual([]);
  });
});
