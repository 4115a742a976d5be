/**
 * Switch-to-session time in the browser, with a session holding 200k lines of history.
 * Reports figures from `window.__dispatchPerf` (performance.measure "dispatch:switch"); asserts
 * nothing about time. Runs only with DISPATCH_WEB_BENCH=1:
 *   npm run build && DISPATCH_WEB_BENCH=1 npx vitest run test/web/switch.bench.test.ts
 */
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { createSession, typeLine, waitForLine, webSuite } from "./browser.js";

const LINES = 200_000;
const ROUNDS = 20;

function summary(values: number[]): string {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
  return `n=${sorted.length} median=${at(0.5).toFixed(1)} ms p95=${at(0.95).toFixed(1)} ms max=${(sorted.at(-1) ?? Number.NaN).toFixed(1)} ms`;
}

async function switchTo(page: Page, name: string): Promise<number> {
  const before = await page.evaluate(() => window.__dispatchPerf?.switches.length ?? 0);
  await page.locator(`[data-session="${name}"] button.select`).click();
  await page.waitForFunction((n) => (window.__dispatchPerf?.switches.length ?? 0) > n, before);
  return page.evaluate(() => window.__dispatchPerf?.lastSwitchMs ?? Number.NaN);
}

describe("switch time (benchmark)", () => {
  const web = webSuite();

  it(`reports switch time with ${LINES} lines of history`, { timeout: 300_000 }, async () => {
    const { page } = await web.page({ login: true });
    await createSession(page, "big");
    await typeLine(page, `seq 1 ${LINES}; echo seq-$((1))-done`);
    await page.waitForFunction(
      () => (window.__dispatch?.lines("big") ?? []).some((l) => l === "seq-1-done"),
      undefined,
      { timeout: 240_000, polling: 200 },
    );
    await createSession(page, "small");
    await typeLine(page, "echo small-$((1))");
    await waitForLine(page, "small", /^small-1$/);

    const warm: number[] = [];
    for (let i = 0; i < ROUNDS; i++) {
      warm.push(await switchTo(page, "big"));
      warm.push(await switchTo(page, "small"));
    }
    // Cold: a reload re-creates the terminals and attaches from scratch.
    const cold: number[] = [];
    for (let i = 0; i < 3; i++) {
      await page.locator('[data-session="big"] button.select').click();
      await page.reload();
      await page.waitForFunction(() => window.__dispatchPerf?.last?.cold === true, undefined, {
        timeout: 120_000,
      });
      cold.push(await page.evaluate(() => window.__dispatchPerf?.lastSwitchMs ?? Number.NaN));
    }
    console.log(`switch, terminal already open (warm): ${summary(warm)}`);
    console.log(`switch after reload to the ${LINES}-line session (cold, attach + replay): ${summary(cold)}`);
    expect(warm.every(Number.isFinite)).toBe(true);
  });
});
