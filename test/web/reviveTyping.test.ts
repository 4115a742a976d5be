/**
 * A person clicks Revive on a session that ended and types at once, before the new process
 * runs: the line reaches the revived shell, in the single view and in a tile. The keys were
 * lost: focus stayed on the Revive button (Enter there asked for a second revive), then on
 * nothing once the bar went, and came back to the terminal only when the hub answered; a key
 * typed while the session still showed as ended was dropped.
 *
 * A revive that takes long (its host slow to answer) holds the keys; a Ctrl-C among them held
 * past a few seconds is not sent once the session runs, nor what was typed after it
 * (`staleInterrupt.ts`): the page says so.
 *
 * Real hub, host, PTYs, bash and web UI; the keys are key presses, typed right after the click.
 */
import { tmpdir } from "node:os";
import type { Locator, Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { INTERRUPT_FRESH_MS } from "../../src/core/staleInterrupt.js";
import {
  createSession,
  enterLine,
  type RemoteHost,
  signIn,
  startRemoteHost,
  TEST_SHELL,
  terminalLines,
  waitForLine,
  webSuite,
} from "./browser.js";

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
  let remote: RemoteHost | undefined;
  afterEach(() => {
    remote?.dispose();
    remote = undefined;
  });

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

  it("drops a Ctrl-C held past a few seconds of a slow revive, with the keys after it, and says so", async () => {
    const hub = web.hub;
    remote = await startRemoteHost(hub, "slow");
    // A context of its own: the clock installed in it would outlive the test.
    const [{ page }] = await Promise.all([
      web.page({ fresh: true, url: "about:blank" }),
      // On the remote host as soon as it has dialled in.
      expect
        .poll(
          async () =>
            (
              await hub.api("/api/sessions", {
                method: "POST",
                body: JSON.stringify({
                  name: "held",
                  command: TEST_SHELL.split(" "),
                  cwd: tmpdir(),
                  host: "slow",
                }),
              })
            ).status,
          { timeout: 20_000 },
        )
        .toBeLessThan(300),
    ]);
    // Time on the page flows as usual, and the test moves it on past the interrupt's freshness.
    await page.clock.install();
    await signIn(page.context(), hub);
    await page.goto(`${hub.url}/#signed-in`);
    await page.locator('[data-session="held"] button.select').click();
    await page.getByRole("heading", { name: "held", level: 1 }).waitFor();
    const ended = await endShell(page, "held", 5);

    // The host stopped: the hub waits for its answer to the revive, and the page holds the keys.
    // Lines in one input each: the hub gives a host 10 s to answer, so the pause stays short.
    const host = remote.child.pid as number;
    process.kill(host, "SIGSTOP");
    try {
      await ended.getByRole("button", { name: "Revive", exact: true }).click();
      await enterLine(page, "echo kept-$((6 * 7))");
      await page.keyboard.press("Control+c");
      // Meant to follow the interrupt: sent without it, it would land in what it was to stop.
      await enterLine(page, "echo after-$((6 * 7))");
      await page.clock.fastForward(INTERRUPT_FRESH_MS + 1_000);
    } finally {
      process.kill(host, "SIGCONT");
    }

    // Said as soon as the revive is answered (watched from now: a toast goes after a while).
    const told = page
      .locator(".toast", {
        hasText: /Not sent: Ctrl-C typed \d+ s ago, while the session was starting again/,
      })
      .waitFor();
    // Awaited below; should an assertion fail first, its end with the page is no second failure.
    told.catch(() => {});
    // What was typed before it goes, once; the later line proves the shell read all it was sent.
    await waitForLine(page, "held", /^kept-42$/);
    await enterLine(page, "echo done-$((2 * 3))");
    await waitForLine(page, "held", /^done-6$/);
    const lines = await terminalLines(page, "held");
    expect(lines.filter((l) => l === "kept-42")).toHaveLength(1);
    expect(lines.filter((l) => l.includes("^C") || l.includes("after-"))).toEqual([]);
    await told;
  });
});
