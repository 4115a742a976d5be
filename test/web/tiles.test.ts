/**
 * Side by side: two sessions in tiles, both live, each with its own size; the prefix key moves
 * the focus between them; the layout survives a reload; a phone shows one at a time. A filter
 * hiding the others is named when there is none to show beside. Each tile is named by a header
 * (its host too when remote) that focuses it; a tile's output is seen (no unread dot); a session
 * that ends in a tile is revived from there.
 */
import { tmpdir } from "node:os";
import { afterAll, describe, expect, it } from "vitest";
import {
  createSession,
  enterLine,
  type RemoteHost,
  startRemoteHost,
  TEST_SHELL,
  typeLine,
  waitForLine,
  webSuite,
} from "./browser.js";

describe("web tiles", () => {
  const web = webSuite({ reuseTabs: true });
  let remote: RemoteHost | undefined;

  afterAll(() => remote?.dispose());

  it("shows two live sessions side by side and keeps the layout", async () => {
    const { page, problems } = await web.page({ signedIn: true });
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
    await enterLine(page, "sleep 0.5; echo late-$((6 * 7))-left");
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("o");
    await page.getByRole("heading", { name: "right", level: 1 }).waitFor();
    await enterLine(page, "echo now-$((2 + 2))-right");
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

  it("names each tile, counts a tile's output as seen, and revives a session that ended in a tile", async () => {
    const hub = web.hub;
    remote = await startRemoteHost(hub, "far");
    // On the remote host as soon as it has dialled in (the page loads meanwhile).
    const dialled = expect
      .poll(
        async () =>
          (
            await hub.api("/api/sessions", {
              method: "POST",
              body: JSON.stringify({
                name: "away",
                command: TEST_SHELL.split(" "),
                cwd: tmpdir(),
                host: "far",
              }),
            })
          ).status,
        { timeout: 20_000 },
      )
      .toBeLessThan(300);
    const [{ page, problems }] = await Promise.all([web.page({ signedIn: true }), dialled]);
    await createSession(page, "near");
    const header = (name: string) => page.locator(".tile:not([hidden]) .tile-header", { hasText: name });
    const tileOf = (name: string) =>
      page.locator(".tile:not([hidden])", { has: page.locator(".tile-header", { hasText: name }) });
    // One view: the top bar names it, no tile headers.
    expect(await page.locator(".tile-header").count()).toBe(0);

    // Split, "away" beside "near", focused: each tile says what it shows, the remote one where.
    // (The first session not on screen may be the earlier test's: pick "away" for the new tile.)
    await page.keyboard.press("Control+BracketRight");
    await page.keyboard.press("t");
    await expect.poll(() => page.locator(".tile-header").count()).toBe(2);
    await page.locator('[data-session="away"] button.select').click();
    await page.getByRole("heading", { name: "away", level: 1 }).waitFor();
    await expect.poll(() => header("near").textContent()).toMatch(/near\s*running/);
    await expect.poll(() => header("away").textContent()).toMatch(/away\s*running\s*far/);
    expect(await header("near").getAttribute("aria-label")).toBe("Tile: near, Terminal, running");
    expect(await header("away").getAttribute("aria-label")).toBe("Tile: away, Terminal on far, running");
    expect(await header("away").getAttribute("aria-current")).toBe("true");
    // The header is at the top of its own tile.
    const tileBox = await tileOf("near").boundingBox();
    const headerBox = await header("near").boundingBox();
    expect(headerBox && tileBox && Math.abs(headerBox.y - tileBox.y) < 3).toBe(true);

    // A click on a header focuses its tile: keys go there.
    await header("near").click();
    await page.getByRole("heading", { name: "near", level: 1 }).waitFor();
    expect(await header("near").getAttribute("aria-current")).toBe("true");
    await enterLine(page, "sleep 0.5; echo tick-$((2 * 3))-near; cat");

    // Focus moves to the other tile while "near" prints: it is on screen, so it is seen. The
    // list's preview showing the line means the page has the session's new byte count.
    await header("away").click();
    await page.getByRole("heading", { name: "away", level: 1 }).waitFor();
    await waitForLine(page, "near", /^tick-6-near$/);
    await expect
      .poll(() => page.locator('[data-session="near"] .preview').textContent(), { timeout: 20_000 })
      .toBe("tick-6-near");
    expect(await page.locator('[data-session="near"] .unread').count()).toBe(0);

    // "near" ends while focused; focus goes to "away": the ended tile still says so, in itself,
    // with Revive.
    await header("near").click();
    await page.getByRole("heading", { name: "near", level: 1 }).waitFor();
    await page.keyboard.press("Control+C");
    // The shell's prompt back on a line of its own, as a person waits for it: a line entered at
    // once could reach the shell while it was still taking the terminal back from `cat`.
    await waitForLine(page, "near", /^bash-[\d.]+[#$]\s*$/);
    await typeLine(page, "exit 4");
    await expect.poll(() => header("near").textContent(), { timeout: 20_000 }).toMatch(/exited \(4\)/);
    await header("away").click();
    await page.getByRole("heading", { name: "away", level: 1 }).waitFor();
    const ended = tileOf("near").locator("[data-ended]");
    await expect.poll(() => ended.textContent()).toMatch(/near\s+exited with code 4/);
    expect(await tileOf("away").locator("[data-ended]").count()).toBe(0);
    const bar = await ended.boundingBox();
    const box = await tileOf("near").boundingBox();
    if (!bar || !box) throw new Error("the ended bar or its tile is not drawn");
    expect(bar.x >= box.x && bar.x + bar.width <= box.x + box.width + 1).toBe(true);

    // Revive from the tile: it runs again, is focused, and takes keys.
    await tileOf("near").getByRole("button", { name: "Revive" }).click();
    await expect.poll(() => header("near").textContent(), { timeout: 20_000 }).toMatch(/running/);
    await page.getByRole("heading", { name: "near", level: 1 }).waitFor();
    await expect.poll(() => tileOf("near").locator("[data-ended]").count()).toBe(0);
    // Entered at once: the keys go to the revived shell even before the page has the hub's
    // answer (reviveTyping.test.ts; a CI run lost this line when they went to the gone button).
    await enterLine(page, "echo revived-$((3 * 3))");
    await waitForLine(page, "near", /^revived-9$/);
    expect(problems).toEqual([]);
  });
});
