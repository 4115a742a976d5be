/**
 * The shell's keys belong to the shell: with a terminal focused, readline's Ctrl+K, Ctrl+R and
 * Alt+B/F reach bash; the page's commands go through the prefix key (Ctrl+] by default), and the
 * session item's tooltip says so.
 */
import { describe, expect, it } from "vitest";
import { createSession, enterLine, terminalLines, waitForLine, webSuite } from "./browser.js";

describe("web terminal keys", () => {
  const web = webSuite({ reuseTabs: true });

  it("sends Ctrl+K, Ctrl+R and Alt+B/F to bash", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "keys");
    const palette = page.getByRole("dialog", { name: "Command palette" });

    // Ctrl+K kills to the end of the line: the tail never runs.
    await page.keyboard.insertText("echo kept-$((2 * 3))JUNK");
    for (let i = 0; i < 4; i++) await page.keyboard.press("ArrowLeft");
    await page.keyboard.press("Control+KeyK");
    await page.keyboard.press("Enter");
    await waitForLine(page, "keys", /^kept-6$/);
    expect(await palette.count()).toBe(0);

    // Ctrl+R searches the history: the earlier command runs again.
    await enterLine(page, "echo hist-$((5 + 5))");
    await waitForLine(page, "keys", /^hist-10$/);
    await page.keyboard.press("Control+KeyR");
    await page.keyboard.type("hist-");
    await page.keyboard.press("Enter");
    await expect
      .poll(async () => (await terminalLines(page, "keys")).filter((l) => l === "hist-10").length)
      .toBe(2);

    // Alt+B twice goes back two words, Alt+F forward one: the Z lands after "one".
    await page.keyboard.insertText("echo one two");
    await page.keyboard.press("Alt+KeyB");
    await page.keyboard.press("Alt+KeyB");
    await page.keyboard.press("Alt+KeyF");
    await page.keyboard.type("Z");
    await page.keyboard.press("Enter");
    await waitForLine(page, "keys", /^oneZ two$/);

    // Alt+N is the shell's too (readline: next history line), not a new-session dialog.
    await page.keyboard.press("Alt+KeyN");
    expect(await page.getByRole("dialog", { name: "New session" }).count()).toBe(0);
    expect(problems).toEqual([]);
  });

  it("runs the page's commands after the prefix key", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "prefixed");
    // Ctrl+] k: the palette, from inside the terminal.
    await page.keyboard.press("Control+BracketRight");
    await page.getByRole("status").filter({ hasText: "Ctrl+]" }).waitFor();
    await page.keyboard.press("k");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.waitFor();
    await page.keyboard.press("Escape");
    await palette.waitFor({ state: "hidden" });

    // Ctrl+] n: the new-session dialog; nothing of it was typed into the shell.
    await page.locator("[data-terminal] .xterm").first().click();
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("n");
    await page.getByRole("dialog", { name: "New session" }).waitFor();
    await page.keyboard.press("Escape");
    await page.locator("[data-terminal] .xterm").first().click();
    await enterLine(page, "echo after-$((1 + 1))");
    await waitForLine(page, "prefixed", /^after-2$/);
    expect(await terminalLines(page, "prefixed")).not.toContainEqual(expect.stringMatching(/nafter|kecho/));

    // The palette button names the platform's shortcut (Linux here: no ⌘).
    expect(await page.getByRole("button", { name: "Command palette" }).textContent()).toBe("Ctrl+K");

    // The item's tooltip says where its Alt key works: in a terminal Alt+n goes to the shell,
    // so it names the prefix there; with the Alt keys set to work in terminals, just Alt+n.
    // The session's full name comes first (a long one is cut in the list).
    const item = page.locator('[data-session="prefixed"] button.select');
    expect(await item.getAttribute("title")).toMatch(
      /^prefixed\nOpen \(Alt\+(\d) outside a terminal; in one Ctrl\+\] then \1\)$/,
    );
    await page.getByRole("button", { name: "Keyboard shortcuts" }).click();
    await page.getByLabel("Alt shortcuts also in terminals").check();
    await expect.poll(() => item.getAttribute("title")).toMatch(/^prefixed\nOpen \(Alt\+\d\)$/);
    expect(problems).toEqual([]);
  });

  it("opens the list filter's first match with Enter and clears it, so the next-session key goes round them all", async () => {
    const { page, problems } = await web.page({ signedIn: true });
    await createSession(page, "round-a");
    await createSession(page, "round-b");
    // Ctrl+] s: the filter; Enter opens its first match.
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("s");
    const filter = page.getByLabel("Filter sessions by name");
    await expect.poll(() => filter.evaluate((el) => el === document.activeElement)).toBe(true);
    await page.keyboard.type("-a");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "round-a", level: 1 }).waitFor();
    expect(await filter.inputValue()).toBe("");
    expect(await page.locator("[data-session]").count()).toBeGreaterThanOrEqual(2);
    // The next session is the list's next, not the filter's only match again.
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("BracketRight");
    await page.getByRole("heading", { name: "round-b", level: 1 }).waitFor();
    expect(problems).toEqual([]);
  });
});
