/**
 * Echo in the browser, beside `dispatch attach`, on one hub with the same flooders: a key
 * pressed in chromium (playwright-core, Debian's `/usr/bin/chromium`) on a session running
 * `cat` on a raw terminal, timed in the page from the keydown event to the paint of the output
 * that follows it (`performance.measure("dispatch:echo")`, read from `window.__dispatchPerf`).
 * Idle and with 4 sessions flooding (`yes`). Goal (issue "Interactive under load"): with 4
 * flooding, the browser's p99 ≤ 2× the CLI client's in the same run.
 */
import { type Browser, chromium, type Page } from "playwright-core";
import { attachJob, echoSessions } from "./clientEcho.js";
import type { BenchContext } from "./context.js";
import { KEY_INTERVAL_MS, KEYS, typeEchoes, WARM_UP_KEYS } from "./echoTyper.js";
import { type BenchHub, startHub } from "./hub.js";
import { row } from "./report.js";
import { percentile, sleep } from "./stats.js";

const SUITE = "browser-echo";
const CHROMIUM = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const KEY_TIMEOUT_MS = 30_000;
/** The flooded run stops early when this slow, to keep the suite bounded. */
const RUN_TIME_LIMIT_MS = 40_000;

export async function browserEchoSuite(ctx: BenchContext): Promise<void> {
  const keys = ctx.quick ? 150 : 400;
  for (const flooders of [0, 4]) {
    const hub: BenchHub = await startHub({ env: ctx.hubEnv });
    let browser: Browser | undefined;
    try {
      await echoSessions(hub, flooders);
      // Warm, as in client-echo; the page below warms up the same way before it is timed.
      const cli = (await typeEchoes(attachJob(hub, ctx, keys))).warm;
      browser = await chromium.launch({
        executablePath: CHROMIUM,
        args: [
          "--headless",
          "--no-sandbox",
          "--disable-gpu",
          "--no-first-run",
          "--disable-background-networking",
        ],
      });
      const page = await browser.newPage({ viewport: { width: 1200, height: 760 } });
      await openEchoSession(page, hub);
      const web = await measureInPage(page, keys);
      report(ctx, flooders, web, cli);
    } finally {
      await browser?.close();
      await hub.stop();
    }
  }
}

async function openEchoSession(page: Page, hub: BenchHub): Promise<void> {
  await page.goto(hub.url);
  await page.getByLabel("Access key").fill(hub.key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.locator('[data-session="echo"] button.select').click({ timeout: 120_000 });
  await page.locator('[data-session="echo"] button[aria-current="true"]').waitFor();
  // Attached and drawn: the screen has a cursor row and the perf report is there.
  await page.waitForFunction(
    () => window.__dispatch?.lines("echo") !== null && window.__dispatchPerf !== undefined,
  );
}

interface BrowserEcho {
  painted: number;
  parsed: number;
}

async function measureInPage(page: Page, keys: number): Promise<BrowserEcho[]> {
  const count = () => page.evaluate(() => window.__dispatchPerf?.echoes.length ?? 0);
  const press = async (char: string) => {
    const before = await count();
    await page.keyboard.type(char);
    await page.waitForFunction((n) => (window.__dispatchPerf?.echoes.length ?? 0) > n, before, {
      timeout: KEY_TIMEOUT_MS,
      polling: 2,
    });
    return page.evaluate(() => ({
      painted: window.__dispatchPerf?.echoes.at(-1) ?? Number.NaN,
      parsed: window.__dispatchPerf?.echoesParsed.at(-1) ?? Number.NaN,
    }));
  };
  for (let i = 0; i < 10 + WARM_UP_KEYS; i++) await press(KEYS[i % 2] as string);
  const samples: BrowserEcho[] = [];
  const deadline = performance.now() + RUN_TIME_LIMIT_MS;
  for (let i = 0; i < keys && performance.now() < deadline; i++) {
    const started = performance.now();
    samples.push(await press(KEYS[i % 2] as string));
    const spent = performance.now() - started;
    if (spent < KEY_INTERVAL_MS) await sleep(KEY_INTERVAL_MS - spent);
  }
  return samples;
}

/**
 * The goal is on "keydown to parsed": like `dispatch attach`'s figure, it ends when the echo has
 * reached the terminal, before anything paints it. "To paint" adds the browser's next frame.
 */
function report(ctx: BenchContext, flooders: number, web: BrowserEcho[], cli: number[]): void {
  const what = flooders === 0 ? "idle" : `${flooders} sessions flooding (yes)`;
  const note = `${web.length} keys in chromium, ${cli.length} through dispatch attach, same hub and flooders`;
  for (const p of [50, 99]) {
    const attach = percentile(cli, p);
    const parsed = percentile(
      web.map((e) => e.parsed),
      p,
    );
    ctx.add(row(SUITE, `dispatch attach echo p${p}, ${what}`, attach, "ms", undefined, note));
    const budget =
      flooders > 0 && p === 99
        ? { text: "≤ 2 × dispatch attach", ratio: { value: parsed / attach, of: "attach", max: 2 } }
        : undefined;
    ctx.add(row(SUITE, `browser echo p${p}, keydown to parsed, ${what}`, parsed, "ms", budget, note));
    const painted = percentile(
      web.map((e) => e.painted),
      p,
    );
    ctx.add(row(SUITE, `browser echo p${p}, keydown to paint, ${what}`, painted, "ms", undefined, note));
  }
}

declare global {
  interface Window {
    __dispatch?: { lines(session: string): string[] | null };
    __dispatchPerf?: { echoes: number[]; echoesParsed: number[] };
  }
}
