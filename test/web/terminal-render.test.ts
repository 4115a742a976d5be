/**
 * What the browser terminal draws: wide characters take the two cells programs count, and
 * underscores survive xterm's DOM renderer (headless chromium has no GPU, so no WebGL).
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createSession, enterLine, terminalLines, waitForLine, webSuite } from "./browser.js";

/** Lit (bright) pixels in a region of the page, decoded in the page from a screenshot. */
async function litPixels(
  page: Page,
  clip: { x: number; y: number; width: number; height: number },
): Promise<number> {
  const png = (await page.screenshot({ clip })).toString("base64");
  return page.evaluate(async (data) => {
    const image = new Image();
    image.src = `data:image/png;base64,${data}`;
    await image.decode();
    const canvas = document.createElement("canvas");
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext("2d");
    if (!context) return -1;
    context.drawImage(image, 0, 0);
    const pixels = context.getImageData(0, 0, image.width, image.height).data;
    let lit = 0;
    for (let i = 0; i < pixels.length; i += 4) {
      const luminance =
        0.2126 * (pixels[i] ?? 0) + 0.7152 * (pixels[i + 1] ?? 0) + 0.0722 * (pixels[i + 2] ?? 0);
      if (luminance > 100) lit++;
    }
    return lit;
  }, png);
}

describe("web terminal rendering", () => {
  const web = webSuite({ reuseTabs: true });

  it("gives wide characters two cells, as programs count them", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "wide");
    await enterLine(
      page,
      "printf '\\360\\237\\230\\200\\360\\237\\230\\200\\360\\237\\230\\200\\360\\237\\230\\200\\360\\237\\230\\200|\\n1234567890|\\n'",
    );
    await waitForLine(page, "wide", /^1234567890\|$/);
    const lines = await terminalLines(page, "wide");
    const emoji = lines.findIndex((l) => l.startsWith("😀😀😀😀😀|"));
    const digits = lines.indexOf("1234567890|");
    expect(emoji).toBeGreaterThanOrEqual(0);
    const barColumn = async (line: number) =>
      (await page.evaluate(([l]) => window.__dispatch?.cells("wide", l as number) ?? [], [line])).indexOf(
        "|",
      );
    // Both bars in column 11 (index 10): five emoji of two cells each, then ten digits.
    expect(await barColumn(digits)).toBe(10);
    expect(await barColumn(emoji)).toBe(10);
    expect(problems).toEqual([]);
  });

  it("draws underscores with the DOM renderer", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "under");
    await enterLine(page, "clear; echo foo_bar __init__.py");
    await waitForLine(page, "under", /^foo_bar __init__\.py$/);
    expect(await page.evaluate(() => window.__dispatch?.renderer("under"))).toBe("dom");
    const row = page.locator(".xterm-rows > div", { hasText: /^foo_bar __init__\.py/ });
    const box = await row.boundingBox();
    if (!box) throw new Error("the row is not drawn");
    const cols = (await page.evaluate(() => window.__dispatch?.cells("under", 0)?.length)) ?? 0;
    expect(cols).toBeGreaterThan(20);
    const cell = box.width / cols;
    const pixelsAt = (column: number) =>
      litPixels(page, { x: box.x + column * cell, y: box.y, width: cell, height: box.height });
    // The letter 'f' is drawn (the clip is in the right place), and so is every underscore.
    expect(await pixelsAt(0)).toBeGreaterThan(0);
    for (const column of [3, 8, 9, 14, 15]) expect(await pixelsAt(column)).toBeGreaterThan(0);
    expect(await pixelsAt(7)).toBe(0);
    expect(problems).toEqual([]);
  });

  it("counts the matches of a search, and leaves its session's highlights there", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "elsewhere");
    await createSession(page, "find");
    await enterLine(page, "for i in 1 2 3; do echo nee''dle-$i; done");
    await waitForLine(page, "find", /^needle-3$/);
    await page.keyboard.press("Control+Shift+KeyF");
    const search = page.getByRole("search", { name: "Search in terminal" });
    await search.getByRole("searchbox").fill("needle");
    await expect.poll(() => search.locator(".count").textContent()).toMatch(/^[123] of 3$/);
    await search.getByRole("searchbox").fill("needle-9");
    await expect.poll(() => search.locator(".count").textContent()).toBe("No match");

    // Like a browser tab's find bar, the bar is the session's: another session becoming current
    // closes it, and the highlights and selected match go (they stayed, and it searched there).
    await search.getByRole("searchbox").fill("needle");
    const highlights = page.locator(".xterm-find-result-decoration");
    await expect.poll(() => highlights.count()).toBeGreaterThan(0);
    await expect.poll(() => page.evaluate(() => window.__dispatch?.selection("find"))).toBe("needle");
    await page.locator('[data-session="elsewhere"] button.select').click();
    await page.getByRole("heading", { name: "elsewhere", level: 1 }).waitFor();
    await search.waitFor({ state: "hidden" });
    expect(await highlights.count()).toBe(0);
    expect(await page.evaluate(() => window.__dispatch?.selection("find"))).toBe("");
    expect(problems).toEqual([]);
  });

  it("re-attaches inside a scroll region in origin mode as the live screen shows it", async () => {
    // After an Enter (once the first page has given the session its size), a program sets rows
    // 5-10 as its scroll region in origin mode, prints, waits for Enter again, then prints nine
    // lines that scroll inside the region.
    const script =
      'read a; clear; printf "\\e[5;10r\\e[?6h\\e[3;1Hregion"; read x; ' +
      'for i in 1 2 3 4 5 6 7 8 9; do printf "\\nline$i"; done; read y';
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name: "region",
        command: ["bash", "--noprofile", "--norc", "-c", script],
        cols: 80,
        rows: 24,
      }),
    });
    expect(created.status).toBeLessThan(300);
    const open = async () => {
      const tp = await web.page({ signedIn: true });
      await tp.page.locator('[data-session="region"] button.select').click();
      await tp.page.locator("[data-terminal] .xterm").first().click();
      return tp;
    };
    // One page watches live; the other, of the same size, attaches later from the hub's snapshot.
    const live = await open();
    // The region must be set at the size the session keeps: a resize after it would reset the
    // region (as in any terminal), and the program here does not redraw on SIGWINCH.
    // Settled: the page shows the session's size and a fit of its box would not change it (a
    // layout still moving gave a size the page then changed, resetting the region: CI, once).
    const settled = (page: typeof live.page) =>
      expect
        .poll(async () => {
          const [shown, proposed] = await page.evaluate(() => [
            window.__dispatch?.size("region") ?? null,
            window.__dispatch?.proposed("region") ?? null,
          ]);
          const response = await web.hub.api("/api/sessions/region");
          const { session } = (await response.json()) as { session: { cols: number; rows: number } };
          const same = (s: { cols: number; rows: number } | null) =>
            s !== null && s.cols === session.cols && s.rows === session.rows;
          return same(shown) && same(proposed);
        })
        .toBe(true);
    await settled(live.page);
    await live.page.keyboard.press("Enter");
    await waitForLine(live.page, "region", /^region$/);
    const late = await open();
    await waitForLine(late.page, "region", /^region$/);
    await settled(late.page);
    await late.page.keyboard.press("Enter");
    await waitForLine(live.page, "region", /^line9$/);
    await waitForLine(late.page, "region", /^line9$/);
    const lines = await terminalLines(late.page, "region");
    expect(lines).toEqual(await terminalLines(live.page, "region"));
    // Inside the region: "region" and line1-3 scrolled off its top, line4-line9 fill rows 5-10.
    const at = lines.indexOf("line4");
    expect(lines.slice(at, at + 6)).toEqual(["line4", "line5", "line6", "line7", "line8", "line9"]);
    expect(lines).not.toContain("region");
    expect(lines).not.toContain("line3");
    expect([...live.problems, ...late.problems]).toEqual([]);
  });
});
