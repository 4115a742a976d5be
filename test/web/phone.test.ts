/**
 * At phone width the list is a drawer and a key bar offers Esc, Tab, Ctrl and arrows; the top
 * bar keeps its room for the session's name, with the secondary buttons in one menu.
 */
import { describe, expect, it } from "vitest";
import { TEST_SHELL, typeLine, waitForLine, webSuite } from "./browser.js";

describe("web on a phone", () => {
  const web = webSuite();

  it("uses a drawer and a key bar with a sticky Ctrl", async () => {
    const { page, problems } = await web.page({
      contextOptions: { viewport: { width: 390, height: 780 }, isMobile: true, hasTouch: true },
      login: true,
    });
    const menu = page.getByRole("button", { name: "Sessions", exact: true });
    // Nothing selected yet: the drawer is open so there is something to tap.
    await expect.poll(() => menu.getAttribute("aria-expanded")).toBe("true");
    await page.getByRole("button", { name: "+ New" }).click();
    const dialog = page.getByRole("dialog", { name: "New session" });
    await dialog.getByLabel("Name", { exact: true }).fill("pocket");
    await dialog.getByLabel("Command").fill(TEST_SHELL);
    await dialog.getByRole("button", { name: "Create" }).click();
    const title = page.getByRole("heading", { name: "pocket", level: 1 });
    await title.waitFor();
    // The name is shown whole, not cut to "p…" by the buttons beside it.
    expect(await title.evaluate((h) => h.scrollWidth <= h.clientWidth)).toBe(true);
    // A name too long for the bar is cut; its tooltip gives it whole.
    expect(await title.getAttribute("title")).toBe("pocket");
    // The drawer closes to give the terminal the screen; the key bar appears.
    await expect.poll(() => menu.getAttribute("aria-expanded")).toBe("false");
    const bar = page.getByRole("toolbar", { name: "Terminal keys" });
    for (const name of ["Escape", "Tab", "Left arrow", "Up arrow", "Down arrow", "Right arrow"]) {
      await bar.getByRole("button", { name, exact: true }).waitFor();
    }

    // Arrows: move the cursor left one character and insert there.
    await page.keyboard.type("echo a$((1))b");
    await bar.getByRole("button", { name: "Left arrow" }).click();
    await page.keyboard.type("X");
    await page.keyboard.press("Enter");
    await waitForLine(page, "pocket", /^a1Xb$/);

    // Sticky Ctrl: Ctrl then "u" erases the typed line (readline unix-line-discard).
    await page.keyboard.type("echo junk");
    const ctrl = bar.getByRole("button", { name: /Control/ });
    await ctrl.click();
    expect(await ctrl.getAttribute("aria-pressed")).toBe("true");
    await page.keyboard.type("u");
    expect(await ctrl.getAttribute("aria-pressed")).toBe("false");
    await typeLine(page, "echo clean-$((2 + 2))");
    await waitForLine(page, "pocket", /^clean-4$/);

    // |, ~ and / are one tap away; ^C interrupts.
    for (const name of ["Pipe", "Tilde", "Slash", "Paste"])
      await bar.getByRole("button", { name, exact: true }).waitFor();
    await page.keyboard.type("echo piped ");
    await bar.getByRole("button", { name: "Pipe" }).click();
    await page.keyboard.type(" tr a-z A-Z");
    await page.keyboard.press("Enter");
    await waitForLine(page, "pocket", /^PIPED$/);
    await typeLine(page, "sleep 30");
    await bar.getByRole("button", { name: "Interrupt (Ctrl+C)" }).click();
    await typeLine(page, "echo woke-$((3 + 3))");
    await waitForLine(page, "pocket", /^woke-6$/);

    // The shell ends: the notice says so across the screen, its text not squeezed into a
    // column a word wide beside its buttons.
    await typeLine(page, "exit 7");
    const ended = page.getByRole("status").filter({ hasText: "pocket exited with code 7" });
    await ended.waitFor();
    const revive = await ended.getByRole("button", { name: "Revive" }).boundingBox();
    const notice = await ended.boundingBox();
    // Two lines at most beside the buttons at this width (it was four, a word or two each).
    expect(revive && notice && notice.height < revive.height * 2.5).toBe(true);

    // The drawer opens again from the menu button and lists the session.
    await menu.click();
    await page.locator('[data-session="pocket"]').waitFor();

    // The secondary buttons are in the menu, by keyboard too: the arrows open and move, Escape
    // closes it back to its button; Log out is its last item.
    const more = page.getByRole("button", { name: "More" });
    await more.focus();
    await page.keyboard.press("ArrowDown");
    const focused = () => page.evaluate(() => document.activeElement?.textContent ?? "");
    await expect.poll(focused).toBe("Command palette");
    await page.keyboard.press("End");
    await expect.poll(focused).toBe("Log out");
    await page.keyboard.press("Escape");
    await page.getByRole("menu", { name: "More" }).waitFor({ state: "detached" });
    await expect.poll(focused).toBe("⋯");
    await more.click();
    await page.getByRole("menuitem", { name: "Log out" }).click();
    await page.getByLabel("Access key").waitFor();
    expect(problems).toEqual([]);
  });
});
