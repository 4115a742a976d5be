/**
 * A person clicks Revive on a session that ended and types at once, before the new process
 * runs: the line reaches the revived shell, in the single view and in a tile. The keys were
 * lost: focus stayed on the Revive button (Enter there asked for a second revive), then on
 * nothing once the bar went, and came back to the terminal only when the hub answered; a key
 * typed while the session still showed as ended was dropped.
 *
 * Real hub, host, PTYs, bash and web UI; the keys are key presses, typed right after the click.
 */
import type { Locator, Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createSession, enterLine, terminalLines, waitForLine, webSuite } from "./browser.js";

/** Ends the focused shell and waits for the ended bar of `name` (in its view or tile). */
async function endShell(page: Page, name: string, code: number): Promise<Locator> {
  await enterLine(page, `exit ${code}`);
  const ended = page.locator(`[data-ended="${name}"]`);
  await expect
    .poll(() => ended.textContent(), { timeout: 20_000 })
    .toMatch(new RegExp(`exited with code ${code}`));
  return ended;
}

/** Clicks Revive and types a line at once, key by key, as a person would. */
async function reviveAndType(ended: Locator, page: Page, line: string): Promise<void> {
  await ended.getByRole("button", { name: "Revive", exact: true }).click();
  await page.keyboard.type(line);
  await page.keyboard.press("Enter");
}

describe("web: typing right after Revive", () => {
  const web = webSuite({ reuseTabs: true });

  it("runs a line typed at once after Revive in the single view", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "again");
    const ended = await endShell(page, "again", 3);

    await reviveAndType(ended, page, "echo revived-$((4 * 5))");
    await waitForLine(page, "again", /^revived-20$/);
    // Once: the Enter went to the shell, not to the button for a second revive.
    expect((await terminalLines(page, "again")).filter((line) => line === "revived-20")).toHaveLength(1);
    await expect.poll(() => page.locator('[data-session="again"]').textContent()).toContain("running");
    expect(problems).toEqual([]);
  });

  it("runs a line typed at once after Revive in a tile, in that tile's session", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "beside");
    await createSession(page, "tiled");
    // Split; the new tile, focused, shows "beside" (the first session not on screen may be
    // another test's), then a click on its header focuses the tile of "tiled".
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("t");
    await expect.poll(() => page.locator(".tile:not([hidden]) .tile-header").count()).toBe(2);
    await page.locator('[data-session="beside"] button.select').click();
    await page.getByRole("heading", { name: "beside", level: 1 }).waitFor();
    const tileOf = (name: string) =>
      page.locator(".tile:not([hidden])", { has: page.locator(".tile-header", { hasText: name }) });
    await tileOf("tiled").locator(".tile-header").click();
    await page.getByRole("heading", { name: "tiled", level: 1 }).waitFor();

    const ended = await endShell(page, "tiled", 4);
    // Its bar is in its own tile; the other tile's session still runs.
    expect(await tileOf("tiled").locator('[data-ended="tiled"]').count()).toBe(1);
    expect(await tileOf("beside").locator("[data-ended]").count()).toBe(0);
    await reviveAndType(ended, page, "echo tile-$((5 * 5))");
    await waitForLine(page, "tiled", /^tile-25$/);
    expect((await terminalLines(page, "beside")).some((line) => line.includes("tile-"))).toBe(false);
    expect(problems).toEqual([]);
  });
});
