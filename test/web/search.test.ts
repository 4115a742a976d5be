/**
 * The search panel: every session's stored output (the hub's index), results with session,
 * time and seq; picking one opens its session with the line selected; Esc closes it.
 */
import { describe, expect, it } from "vitest";
import { waitForLine, webSuite } from "./browser.js";

describe("web search panel", () => {
  const web = webSuite();

  async function createShell(name: string, script: string): Promise<void> {
    const created = await web.hub.api("/api/sessions", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        name,
        command: ["bash", "--noprofile", "--norc", "-c", `${script}; exec sleep 600`],
        cols: 80,
        rows: 24,
      }),
    });
    expect(created.status).toBeLessThan(300);
  }

  it("finds lines in every session and opens the session at the line", async () => {
    await createShell("hay", "seq -f 'hay-%g' 1 50");
    await createShell("stack", "seq -f 'filler-%g' 1 3000; echo quokka-in-stack; seq -f 'after-%g' 1 3000");
    const { page, problems } = await web.page({ login: true });
    await page.locator('[data-session="hay"] button.select').click();
    await waitForLine(page, "hay", /^hay-50$/);

    // From the palette (focus outside the terminal), or the prefix then /.
    await page.getByRole("button", { name: "Command palette" }).click();
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.getByRole("combobox").fill("search all");
    await page.keyboard.press("Enter");
    const panel = page.getByRole("dialog", { name: "Search all output" });
    await panel.getByLabel("Search all output").fill("quokka");
    const results = panel.getByRole("list", { name: "Search results" }).getByRole("button");
    // The index follows the log closely but not instantly: search again until it has the line.
    await expect
      .poll(
        async () => {
          await panel.getByRole("button", { name: "Search", exact: true }).click();
          return results.count();
        },
        { timeout: 15_000, intervals: [300] },
      )
      .toBe(1);
    const text = (await results.first().textContent()) ?? "";
    expect(text).toContain("stack");
    expect(text).toMatch(/seq \d+/);
    expect(text).toContain("quokka-in-stack");

    // Opening it shows the session with the line selected, although it was printed 3,000 lines
    // before the end (older than the snapshot's scrollback: loaded from the log).
    await results.first().click();
    await page.getByRole("heading", { name: "stack", level: 1 }).waitFor();
    await expect
      .poll(() => page.evaluate(() => window.__dispatch?.selection("stack")), { timeout: 15_000 })
      .toBe("quokka-in-stack");

    // A bad query gets the hub's clear error.
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("/");
    await panel.getByLabel("Search all output").fill("x".repeat(600));
    await panel.getByRole("button", { name: "Search", exact: true }).click();
    await expect.poll(() => panel.getByRole("alert").textContent()).toMatch(/\S/);
    // Esc closes the panel from its field too, with text in it (a search field's own Esc
    // would only clear the text, and the panel stayed).
    await panel.getByLabel("Search all output").focus();
    await page.keyboard.press("Escape");
    await panel.waitFor({ state: "hidden" });
    // The browser logs the refused request itself; nothing else went wrong.
    expect(problems.filter((p) => !p.includes("status of 400"))).toEqual([]);
  });
});
