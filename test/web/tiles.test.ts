/**
 * Side by side: two sessions in tiles, both live, each with its own size; the prefix key moves
 * the focus between them; the layout survives a reload; a phone shows one at a time. A filter
 * hiding the others is named when there is none to show beside.
 */
import { describe, expect, it } from "vitest";
import { createSession, typeLine, waitForLine, webSuite } from "./browser.js";

describe("web tiles", () => {
  const web = webSuite();

  it("shows two live sessions side by side and keeps the layout", async () => {
    const { page, problems } = await web.page({ login: true });
    const cols = async (name: string) => {
      const response = await web.hub.api(`/api/sessions/${name}`);
      return ((await response.json()) as { session: { cols: number } }).session.cols;
    };
    await createSession(page, "left");
    await createSession(page, "right");
    const full = await cols("right");
    const tiles = page.locator(".tile.tiled:not([hidden])");
    expect(await tiles.count()).toBe(0);

    // The list filtered to this one: the toast names the filter, not "no other session".
    await page.getByLabel("Filter sessions by name").fill("right");
    await page.keyboard.press("Alt+KeyT");
    await page.locator(".toasts").getByText("The list's filter hides the other sessions").waitFor();
    expect(await tiles.count()).toBe(0);
    // Esc in the filter clears it and goes back to the terminal.
    await page.keyboard.press("Escape");

    // Prefix then t: one more tile, showing the first session not on screen, focused.
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("t");
    await expect.poll(() => tiles.count()).toBe(2);
    await page.getByRole("heading", { name: "left", level: 1 }).waitFor();
    // Side by side: the two tiles do not overlap, and each is about half the width.
    const boxes = [await tiles.nth(0).boundingBox(), await tiles.nth(1).boundingBox()].sort(
      (p, q) => (p?.x ?? 0) - (q?.x ?? 0),
    );
    const [a, b] = boxes;
    if (!a || !b) throw new Error("a tile is not drawn");
    expect(a.x + a.width).toBeLessThanOrEqual(b.x + 1);
    expect(Math.abs(a.width - b.width)).toBeLessThan(4);
    // Each tile has its own size: both sessions are now about half as wide.
    await expect.poll(() => cols("left")).toBeLessThan(full * 0.6);
    await expect.poll(() => cols("right")).toBeLessThan(full * 0.6);

    // Typing goes to the focused tile; the other keeps showing its live output.
    await typeLine(page, "sleep 0.5; echo late-$((6 * 7))-left");
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("o");
    await page.getByRole("heading", { name: "right", level: 1 }).waitFor();
    await typeLine(page, "echo now-$((2 + 2))-right");
    await waitForLine(page, "right", /^now-4-right$/);
    await waitForLine(page, "left", /^late-42-left$/);
    await page.locator("[data-terminal] .xterm-rows > div", { hasText: /^late-42-left/ }).waitFor();
    await page.locator("[data-terminal] .xterm-rows > div", { hasText: /^now-4-right/ }).waitFor();

    // The layout and the focused tile survive a reload.
    await page.reload();
    await page.getByRole("heading", { name: "right", level: 1 }).waitFor();
    await expect.poll(() => tiles.count()).toBe(2);
    await waitForLine(page, "left", /^late-42-left$/);
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("ArrowLeft");
    await page.getByRole("heading", { name: "left", level: 1 }).waitFor();

    // A phone shows one session at a time.
    await page.setViewportSize({ width: 390, height: 780 });
    await expect.poll(() => page.locator(".tile:not([hidden])").count()).toBe(1);
    expect(problems).toEqual([]);
  });
});
