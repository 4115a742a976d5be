/**
 * The hub goes away while a session keeps printing; the page shows the banner, reconnects by
 * itself and catches up from its last seq: every line exactly once, nothing lost, nothing doubled.
 * Keys typed meanwhile (on a second page, through the same restart) wait and are sent once it
 * is back. A network the browser reports gone is noticed at once, not at the keepalive, and
 * keys typed while offline arrive once. So is one that dies without a word (a proxy in between
 * stops forwarding): a few seconds after keys go unanswered, and each of them arrives once,
 * whether the dead link swallowed it or delivered it and lost only the hub's answer. Those
 * seconds pass on the page's own clock (Playwright's), moved on past each period instead of
 * waited out. A Ctrl-C that waited longer than a few seconds is not sent late, nor what was
 * typed after it: it would stop whatever runs by then; the page says so.
 */

import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Page } from "playwright-core";
import { afterEach, describe, expect, it } from "vitest";
import { LINK_SILENT_MS } from "../../src/core/linkSilence.js";
import { INTERRUPT_FRESH_MS } from "../../src/core/staleInterrupt.js";
import {
  createSession,
  enterLine,
  login,
  terminalLines,
  typeLine,
  waitForLine,
  webSuite,
} from "./browser.js";
import { type LinkProxy, startLinkProxy } from "./linkProxy.js";

const TICKS = 40;
/**
 * The page's periods (src/core/linkSilence.ts, web/src/lib/connection.ts): a watched request
 * unanswered this long means a dead link; an attempt not welcomed this long is given up for a
 * fresh one. The keepalive alone would notice a dead link only after 30 s: a page that missed
 * either of these does not recover within the test's waits.
 */
const REPLY_TIMEOUT_MS = LINK_SILENT_MS;
const CONNECT_TIMEOUT_MS = 10_000;

describe("web reconnect", () => {
  const web = webSuite({ reuseTabs: true });

  // One hub restart for both pages: each restart is a `dispatch stop` and a `dispatch start`
  // (Node boots) and the hub's own start, the costliest steps in this file. Two pages' work in
  // one test, so twice the default bound.
  it("catches up after a hub restart with output arriving exactly once, and sends keys typed while it was away", async () => {
    const hub = web.hub;
    const typed = await web.page({ signedIn: true });
    await createSession(typed.page, "typed");
    await enterLine(typed.page, "echo ready-$((1 + 1))");
    await waitForLine(typed.page, "typed", /^ready-2$/);

    const { page, problems } = await web.page({ signedIn: true });
    await page.bringToFront();
    await createSession(page, "stream");
    // Each tick also goes to a file, so the test sees the loop print while the hub is away.
    const ticks = join(mkdtempSync(join(tmpdir(), "dw-")), "n");
    await enterLine(
      page,
      `for i in $(seq 1 ${TICKS}); do echo tick-$i; echo $i >${ticks}; sleep 0.1; done; echo loop-$((1))-done`,
    );
    await waitForLine(page, "stream", /^tick-3$/);

    const port = hub.port;
    const stopped = await hub.cli(["stop"]);
    expect(stopped.code, stopped.stderr).toBe(0);
    await page.getByText("Connection to the hub lost").waitFor();
    // The loop prints while nobody listens; the host buffers it.
    const printed = () => (existsSync(ticks) ? Number(readFileSync(ticks, "utf8").trim() || "0") : 0);
    const away = printed();
    await expect.poll(printed, { timeout: 20_000 }).toBeGreaterThanOrEqual(Math.min(away + 5, TICKS));
    // Keys typed on the other page meanwhile wait, and are sent once the hub is back.
    await typed.page.bringToFront();
    await typed.page.getByText("Connection to the hub lost").waitFor();
    await typed.page.locator("[data-terminal] .xterm").first().click();
    await typeLine(typed.page, "echo queued-$((6 * 7))");
    const started = await hub.cli(["start", "--port", String(port)]);
    expect(started.code, started.stderr).toBe(0);

    // Its reconnect backs off while the hub is away: the line waits for the connection first.
    await expect
      .poll(() => typed.page.evaluate(() => window.__dispatch?.connection()), { timeout: 30_000 })
      .toBe("open");
    await waitForLine(typed.page, "typed", /^queued-42$/);
    expect((await terminalLines(typed.page, "typed")).filter((l) => l === "queued-42")).toHaveLength(1);

    await page.bringToFront();
    await expect
      .poll(() => page.evaluate(() => window.__dispatch?.connection()), { timeout: 30_000 })
      .toBe("open");
    await waitForLine(page, "stream", /^loop-1-done$/);
    const lines = await terminalLines(page, "stream");
    for (let i = 1; i <= TICKS; i++) {
      expect(
        lines.filter((l) => l === `tick-${i}`),
        `tick-${i}`,
      ).toHaveLength(1);
    }
    await page.getByText("Connection to the hub lost").waitFor({ state: "hidden" });

    // The only console messages are the browser's own reports of the refused reconnects.
    const unexpected = problems.filter((p) => !/ERR_CONNECTION_REFUSED|WebSocket connection to/.test(p));
    expect(unexpected).toEqual([]);

    // Typing works on the new connection.
    await page.locator("[data-terminal] .xterm").first().click();
    await typeLine(page, "echo after-$((5 * 5))");
    await waitForLine(page, "stream", /^after-25$/);
    rmSync(dirname(ticks), { recursive: true, force: true });
  }, 120_000);

  it("notices the browser going offline at once and sends keys typed meanwhile once back online", async () => {
    const { page } = await web.page({ signedIn: true });
    await createSession(page, "offline");
    await enterLine(page, "echo ready-$((2 + 1))");
    await waitForLine(page, "offline", /^ready-3$/);

    await page.context().setOffline(true);
    // The keepalive alone would notice only after 30 s; the banner shows well before that.
    await page.locator(".banner-slot .banner").waitFor({ timeout: 15_000 });
    await typeLine(page, "echo offline-$((6 * 7))");
    await page.context().setOffline(false);

    await waitForLine(page, "offline", /^offline-42$/);
    await page.locator(".banner-slot .banner").waitFor({ state: "hidden" });
    expect((await terminalLines(page, "offline")).filter((l) => l === "offline-42")).toHaveLength(1);
  });

  describe("through a link that dies silently", () => {
    let proxy: LinkProxy | undefined;
    afterEach(async () => {
      await proxy?.close();
      proxy = undefined;
    });

    /** A signed-in page that reaches the hub through the proxy, with a shell ready for keys. */
    const pageThroughProxy = async (session: string): Promise<Page> => {
      // A context of its own: the clock installed in it would outlive the test.
      const { page } = await web.page({ fresh: true, url: "about:blank" });
      proxy = await startLinkProxy(web.hub.port);
      // Time on the page flows as usual, and the test moves it on past a period.
      await page.clock.install();
      await page.goto(proxy.url);
      await login(page, web.hub.key);
      await createSession(page, session);
      await enterLine(page, "echo ready-$((1 + 1))");
      await waitForLine(page, session, /^ready-2$/);
      return page;
    };

    /** Every key arrived once: each line printed once, the later line proving both were read. */
    const expectOnce = async (page: Page, session: string, line: string): Promise<void> => {
      await enterLine(page, `echo ${line}-then-$((2 * 3))`);
      await waitForLine(page, session, new RegExp(`^${line}-then-6$`));
      expect((await terminalLines(page, session)).filter((l) => l === line)).toHaveLength(1);
    };

    it("shows it is reconnecting soon after keys go unanswered; every key arrives once", async () => {
      const page = await pageThroughProxy("cut");

      // Nothing passes: the keys are swallowed, and sent again once the network is back.
      proxy?.cut("both");
      await typeLine(page, "echo cut-$((6 * 7))");
      // The keepalive alone would notice after 30 s; unanswered keys make it a few seconds.
      await page.clock.fastForward(REPLY_TIMEOUT_MS);
      await page.locator(".banner-slot .banner").waitFor({ timeout: 15_000 });
      proxy?.restore();
      await waitForLine(page, "cut", /^cut-42$/);
      await page.locator(".banner-slot .banner").waitFor({ state: "hidden" });
      await expectOnce(page, "cut", "cut-42");

      // Down again, and the attempt made meanwhile is lost with the network: a fresh one is made
      // once it has gone unanswered too long, and the keys arrive.
      proxy?.cut("both");
      await typeLine(page, "echo lost-$((6 * 7))");
      await page.clock.fastForward(REPLY_TIMEOUT_MS);
      await expect.poll(() => proxy?.attemptsHeld, { timeout: 15_000 }).toBeGreaterThan(0);
      proxy?.restore({ attempts: "lost" });
      await page.clock.fastForward(CONNECT_TIMEOUT_MS);
      await waitForLine(page, "cut", /^lost-42$/);
      await expectOnce(page, "cut", "lost-42");

      // Only the hub's answers are lost: the keys arrived, and their resend is not typed again.
      // Only the new connection can show their output.
      proxy?.cut("to-browser");
      await typeLine(page, "echo deaf-$((6 * 7))");
      await page.clock.fastForward(REPLY_TIMEOUT_MS);
      await waitForLine(page, "cut", /^deaf-42$/);
      await expectOnce(page, "cut", "deaf-42");
    });

    it("drops a Ctrl-C that waited past a few seconds, with the keys typed after it, and says so", async () => {
      const page = await pageThroughProxy("late");

      proxy?.cut("both");
      await typeLine(page, "echo kept-$((6 * 7))");
      await page.keyboard.press("Control+c");
      // Meant to follow the interrupt: sent without it, it would land in what it was to stop.
      await page.keyboard.type("echo after-$((6 * 7))");
      await page.clock.fastForward(REPLY_TIMEOUT_MS + INTERRUPT_FRESH_MS);
      await page.locator(".banner-slot .banner").waitFor({ timeout: 15_000 });
      proxy?.restore();

      await page.locator(".toast", { hasText: /Not sent: Ctrl-C typed \d+ s ago/ }).waitFor();
      // What was typed before it still goes, once.
      await waitForLine(page, "late", /^kept-42$/);
      await expectOnce(page, "late", "kept-42");
      const lines = await terminalLines(page, "late");
      expect(lines.filter((l) => l.includes("^C") || l.includes("after-"))).toEqual([]);
    });
  });
});
