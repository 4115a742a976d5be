/**
 * Scrolling past the loaded buffer: a page that attached from the hub's snapshot holds about
 * 2,000 lines; scrolling up at the top loads older output from the log, back to its start.
 */
import { describe, expect, it } from "vitest";
import { terminalLines, waitForLine, webSuite } from "./browser.js";

describe("web history", () => {
  const web = webSuite();

  it("loads older output when scrolled past the top, back to the start of the log", async () => {
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "long",
        command: ["bash", "--noprofile", "--norc", "-c", "seq -f 'row-%g' 1 6000; exec sleep 600"],
        cols: 80,
        rows: 24,
      }),
    });
    expect(created.status).toBeLessThan(300);
    const rows = async () => (await terminalLines(page, "long")).filter((l) => /^row-\d+$/.test(l));
    const { page, problems } = await web.page({ login: true });
    await page.locator('[data-session="long"] button.select').click();
    await waitForLine(page, "long", /^row-6000$/);
    // Attached from the snapshot: the newest ~2,000 lines, not the first ones.
    expect((await rows()).length).toBeLessThan(2100);
    expect(await rows()).not.toContain("row-1");

    // Scroll up to the top (Shift+PageUp), then once more with the wheel: older output
    // loads; again until the first line shows.
    const box = await page.locator("[data-terminal] .xterm").first().boundingBox();
    if (!box) throw new Error("no terminal");
    await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
    const top = async () => (await page.evaluate(() => window.__dispatch?.scroll("long")))?.top ?? -1;
    await expect
      .poll(
        async () => {
          while ((await top()) > 0) await page.keyboard.press("Shift+PageUp");
          await page.mouse.wheel(0, -200);
          return (await rows()).includes("row-1");
        },
        { timeout: 20_000, intervals: [250] },
      )
      .toBe(true);
    // Every line exactly once, in order, once the terminal has drawn the whole page (xterm
    // parses a large write in chunks: row-1 shows before the newest rows are back).
    await expect
      .poll(rows, { timeout: 20_000 })
      .toEqual(Array.from({ length: 6000 }, (_, i) => `row-${i + 1}`));
    await expect
      .poll(async () => (await page.evaluate(() => window.__dispatch?.scroll("long")))?.hasOlder)
      .toBe(false);

    // Bad input gets a clear error.
    const bad = await web.hub.api("/api/sessions/long/history?before=zero");
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toContain("before");
    expect(problems).toEqual([]);
  });
});
