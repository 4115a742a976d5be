/**
 * The web UI against a real hub: create and echo, switch, rename, kill, reload, two pages on
 * one session, palette and help. One browser and one hub for the file; each test its own page.
 */
import { describe, expect, it } from "vitest";
import {
  createSession,
  enterLine,
  type PageOptions,
  type TestPage,
  terminalLines,
  typeLine,
  waitForLine,
  webSuite,
} from "./browser.js";

describe("web sessions", () => {
  const web = webSuite({ reuseTabs: true });

  /** A signed-in page; a second page in an existing context shares its login cookie. */
  function loggedInPage(options: PageOptions = {}): Promise<TestPage> {
    return web.page({ ...options, signedIn: !options.context });
  }

  it("creates a terminal and round-trips echo", async () => {
    const { page, problems } = await loggedInPage();
    await createSession(page, "alpha");
    await typeLine(page, "echo round-$((40 + 2))-trip");
    await waitForLine(page, "alpha", /^round-42-trip$/);
    await expect.poll(() => page.locator('[data-session="alpha"]').textContent()).toContain("running");

    // Ctrl+C with a selection copies it (triple click selects a line).
    const row = await page.locator(".xterm-rows > div", { hasText: /^round-42-trip/ }).boundingBox();
    expect(row).not.toBeNull();
    await page.mouse.click((row?.x ?? 0) + 20, (row?.y ?? 0) + (row?.height ?? 0) / 2, { clickCount: 3 });
    await page.keyboard.press("Control+KeyC");
    await expect.poll(() => page.evaluate(() => navigator.clipboard.readText())).toContain("round-42-trip");

    // The terminal follows the window, and the session's size follows the terminal.
    const cols = async () => {
      const response = await web.hub.api("/api/sessions/alpha");
      return ((await response.json()) as { session: { cols: number } }).session.cols;
    };
    const wide = await cols();
    await page.setViewportSize({ width: 800, height: 600 });
    await expect.poll(cols).toBeLessThan(wide);
    expect(problems).toEqual([]);
  });

  it("previews a session's last output line in the panel", async () => {
    const { page, problems } = await loggedInPage();
    await createSession(page, "preview");
    await enterLine(page, "clear; echo preview-$((6 * 7))-line; stty -echo; PS1=");
    await waitForLine(page, "preview", /^preview-42-line$/);
    // Needs the hub to announce the last output of a burst, not only the first one per second.
    await expect
      .poll(() => page.locator('[data-session="preview"]').textContent(), { timeout: 5000 })
      .toContain("preview-42-line");
    // A ruler redrawn in part (vim's way: only the digits that changed) reads as the screen
    // shows it, the row's last non-blank one, not as the newest bytes do ("15 49%").
    await enterLine(
      page,
      String.raw`printf '\033[?1049h\033[H\033[2J\033[5;20H300,1\033[9CBot'; read x; printf '\033[5;20H15\033[5;34H49%%'`,
    );
    await waitForLine(page, "preview", /300,1 +Bot/);
    await page.keyboard.press("Enter");
    await expect
      .poll(() => page.locator('[data-session="preview"] .preview').textContent(), { timeout: 20_000 })
      .toBe("150,1 49%");
    expect(problems).toEqual([]);
  });

  it("switches between sessions, keeping each terminal alive", async () => {
    const { page, problems } = await loggedInPage();
    await createSession(page, "one");
    await enterLine(page, "echo first-$((1))");
    await waitForLine(page, "one", /^first-1$/);
    await createSession(page, "two");
    await enterLine(page, "echo second-$((2))");
    await waitForLine(page, "two", /^second-2$/);

    const before = await page.evaluate(() => window.__dispatchPerf?.switches.length ?? 0);
    await page.locator('[data-session="one"] button.select').click();
    await page.getByRole("heading", { name: "one", level: 1 }).waitFor();
    await expect.poll(() => page.evaluate(() => window.__dispatchPerf?.switches.length)).toBe(before + 1);
    const perf = await page.evaluate(() => window.__dispatchPerf?.switches.at(-1));
    expect(perf?.cold).toBe(false);
    expect(typeof perf?.ms).toBe("number");
    // Still one copy of the earlier output: switching did not replay into the terminal.
    expect((await terminalLines(page, "one")).filter((l) => l === "first-1")).toHaveLength(1);

    // Keyboard, from the focused terminal: the prefix then ] goes to the next session in the
    // list, the prefix then 1 to the first.
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("BracketRight");
    await page.getByRole("heading", { name: "two", level: 1 }).waitFor();
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("Digit1");
    await page.getByRole("heading", { name: "alpha", level: 1 }).waitFor();

    // A background session printing gets the unread marker.
    await page.locator('[data-session="two"] button.select').click();
    await enterLine(page, "sleep 0.5; echo later-$((3))");
    await page.locator('[data-session="one"] button.select').click();
    await page.locator('[data-session="two"] .unread').waitFor();
    await page.locator('[data-session="two"] button.select').click();
    await waitForLine(page, "two", /^later-3$/);
    await expect.poll(() => page.locator('[data-session="two"] .unread').count()).toBe(0);

    // A list longer than its box: the session the keyboard makes current scrolls into sight
    // (the first, then the previous from it, which wraps to the last).
    await page.setViewportSize({ width: 1200, height: 420 });
    const inSight = (name: string) =>
      page.locator(`[data-session="${name}"]`).evaluate((item) => {
        const box = item.closest(".groups");
        if (!box) return "no list";
        if (box.scrollHeight <= box.clientHeight) return "the list fits its box";
        const outer = box.getBoundingClientRect();
        const inner = item.getBoundingClientRect();
        return inner.top >= outer.top - 1 && inner.bottom <= outer.bottom + 1 ? "in sight" : "out of sight";
      });
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("Digit1");
    await page.getByRole("heading", { name: "alpha", level: 1 }).waitFor();
    await expect.poll(() => inSight("alpha")).toBe("in sight");
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("BracketLeft");
    await page.getByRole("heading", { name: "two", level: 1 }).waitFor();
    await expect.poll(() => inSight("two")).toBe("in sight");
    expect(problems).toEqual([]);
  });

  it("renames and kills with confirmation", async () => {
    const { page, problems } = await loggedInPage();
    await createSession(page, "victim");
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("r");
    const dialog = page.getByRole("dialog", { name: "Rename victim" });
    await dialog.getByLabel("New name").fill("renamed");
    await dialog.getByRole("button", { name: "Rename" }).click();
    await page.getByRole("heading", { name: "renamed", level: 1 }).waitFor();
    await page.locator('[data-session="renamed"]').waitFor();

    await page.getByRole("button", { name: "Kill renamed" }).click();
    const confirm = page.getByRole("dialog", { name: "Kill renamed?" });
    await confirm.getByRole("button", { name: "Cancel" }).click();
    await expect.poll(() => page.locator('[data-session="renamed"]').textContent()).toContain("running");

    await page.getByRole("button", { name: "Kill renamed" }).click();
    await confirm.getByRole("button", { name: "Kill session" }).click();
    await expect.poll(() => page.locator('[data-session="renamed"]').textContent()).toContain("exited");

    // An ended terminal can be revived: its screen stays and a new shell continues the log.
    await page.getByRole("button", { name: "Revive" }).click();
    await expect.poll(() => page.locator('[data-session="renamed"]').textContent()).toContain("running");
    await page.locator("[data-terminal] .xterm").first().click();
    await enterLine(page, "echo revived-$((3 * 3))");
    await waitForLine(page, "renamed", /^revived-9$/);
    expect(problems).toEqual([]);
  });

  it("restores the open terminals and their screens after a reload", async () => {
    const { page, problems } = await loggedInPage();
    await createSession(page, "keep");
    await enterLine(page, "echo kept-$((7 * 6))");
    await waitForLine(page, "keep", /^kept-42$/);
    await page.reload();
    await page.getByRole("heading", { name: "keep", level: 1 }).waitFor();
    await waitForLine(page, "keep", /^kept-42$/);
    expect((await terminalLines(page, "keep")).filter((l) => l === "kept-42")).toHaveLength(1);
    // Typing still works after the reload.
    await page.locator("[data-terminal] .xterm").first().waitFor();
    await typeLine(page, "echo again-$((1 + 1))");
    await waitForLine(page, "keep", /^again-2$/);
    expect(problems).toEqual([]);
  });

  it("shows typing from either of two pages on one session", async () => {
    const a = await loggedInPage();
    await createSession(a.page, "shared");
    const b = await loggedInPage({ context: a.context });
    await b.page.getByRole("navigation", { name: "Sessions" }).waitFor();
    await b.page.locator('[data-session="shared"] button.select').click();
    await b.page.getByRole("heading", { name: "shared", level: 1 }).waitFor();

    await a.page.bringToFront();
    await a.page.locator("[data-terminal] .xterm").first().click();
    await typeLine(a.page, "echo from-a-$((10 + 1))");
    await waitForLine(b.page, "shared", /^from-a-11$/);

    await b.page.bringToFront();
    await b.page.locator("[data-terminal] .xterm").first().click();
    await typeLine(b.page, "echo from-b-$((20 + 2))");
    await waitForLine(a.page, "shared", /^from-b-22$/);
    expect([...a.problems, ...b.problems]).toEqual([]);
  });

  it("offers sessions and actions in the palette, and lists shortcuts in the help", async () => {
    const { page, problems } = await loggedInPage();
    await page.keyboard.press("Control+KeyK");
    const palette = page.getByRole("dialog", { name: "Command palette" });
    await palette.getByRole("combobox").fill("alph");
    await expect.poll(() => palette.getByRole("option").first().textContent()).toContain("alpha");
    await page.keyboard.press("Enter");
    await page.getByRole("heading", { name: "alpha", level: 1 }).waitFor();

    // `?` is typed into the terminal when it has focus; from the page it opens the help.
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press("?");
    const help = page.getByRole("dialog", { name: "Keyboard shortcuts" });
    for (const keys of ["Alt+N", "Alt+]", "Alt+[", "Alt+W", "Alt+R", "Ctrl+K"]) {
      await expect.poll(() => help.textContent()).toContain(keys);
    }
    await page.keyboard.press("Escape");
    await help.waitFor({ state: "hidden" });

    // The terminal has focus again: the prefix then n opens the create dialog.
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("n");
    await page.getByRole("dialog", { name: "New session" }).waitFor();
    await page.keyboard.press("Escape");
    await page.getByRole("dialog", { name: "New session" }).waitFor({ state: "hidden" });

    // Outside the terminal the direct keys work: Alt+W closes the view; the session keeps running.
    await page.getByRole("button", { name: "Keyboard shortcuts" }).focus();
    await page.keyboard.press("Alt+KeyW");
    await page.getByText("No session selected.").waitFor();
    await expect.poll(() => page.locator('[data-session="alpha"]').textContent()).toContain("running");

    expect(problems).toEqual([]);
  });

  // Last in the file: it fills the list past nine sessions for the ones without a shortcut.
  it("names every session in full in its tooltip, past the ninth and when the list cuts it", async () => {
    const long = "a-name-too-long-for-the-list-032";
    const response = await web.hub.api("/api/sessions");
    const { sessions } = (await response.json()) as { sessions: unknown[] };
    // The long name and enough others for ten in the list (the earlier tests' sessions count).
    const names = [
      long,
      ...Array.from({ length: Math.max(0, 9 - sessions.length) }, (_, i) => `filler-${i}`),
    ];
    for (const name of names) {
      const created = await web.hub.api("/api/sessions", {
        method: "POST",
        body: JSON.stringify({ name, command: ["sleep", "600"] }),
      });
      expect(created.status, await created.clone().text()).toBeLessThan(300);
    }
    const { page, problems } = await loggedInPage();
    const item = page.locator(`[data-session="${long}"]`);
    // The list shows the name cut short: the tooltip is the way to read it.
    await expect.poll(() => item.locator(".name").evaluate((n) => n.scrollWidth > n.clientWidth)).toBe(true);
    const tooltips = await page.locator("[data-session]").evaluateAll((items) =>
      items.map((i) => ({
        name: i.getAttribute("data-session") ?? "",
        title: i.querySelector("button.select")?.getAttribute("title") ?? "",
      })),
    );
    expect(tooltips.length).toBeGreaterThanOrEqual(10);
    // The full name, then for the first nine their shortcut on a line of its own.
    tooltips.forEach(({ name, title }, index) => {
      const [first, shortcut] = title.split("\n");
      expect(first, `item ${index + 1}`).toBe(name);
      if (index < 9) expect(shortcut, `item ${index + 1}`).toMatch(/^Open \(/);
      else expect(shortcut, `item ${index + 1}`).toBeUndefined();
    });
    expect(problems).toEqual([]);
  });
});
