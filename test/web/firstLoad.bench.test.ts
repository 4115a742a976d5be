/**
 * The first page load: bytes the page downloads (as sent, compressed) and time from navigation
 * to the session list, each round in a new browser context (nothing cached). Reports figures;
 * asserts nothing about time. Runs only with DISPATCH_WEB_BENCH=1:
 *   npm run build && DISPATCH_WEB_BENCH=1 npx vitest run test/web/firstLoad.bench.test.ts
 */
import { describe, expect, it } from "vitest";
import { createSession, newContext, signIn, webSuite } from "./browser.js";

const ROUNDS = 7;

describe.runIf(process.env.DISPATCH_WEB_BENCH === "1")("first page load (benchmark)", () => {
  const web = webSuite();

  it("reports bytes and time to the session list", { timeout: 300_000 }, async () => {
    const { page } = await web.page({ login: true });
    await createSession(page, "one");
    const times: number[] = [];
    let files: string[] = [];
    let bytes = 0;
    for (let i = 0; i < ROUNDS; i++) {
      const context = await newContext(web.browser);
      await signIn(context, web.hub);
      const tab = await context.newPage();
      // When the first session row appears, in the page's own clock (no polling delay).
      await tab.addInitScript(() => {
        const seen = () => document.querySelector("[data-session]") !== null;
        const observer = new MutationObserver(() => {
          if (!seen()) return;
          (window as unknown as { __listAt: number }).__listAt = performance.now();
          observer.disconnect();
        });
        observer.observe(document, { childList: true, subtree: true });
      });
      const sizes: Promise<[string, number]>[] = [];
      tab.on("requestfinished", (request) => {
        if (request.url().includes("/api/")) return;
        sizes.push(
          request
            .sizes()
            .then((s) => [new URL(request.url()).pathname, s.responseBodySize + s.responseHeadersSize]),
        );
      });
      await tab.goto(`${web.hub.url}/#signed-in`);
      await tab.waitForFunction(() => (window as unknown as { __listAt?: number }).__listAt !== undefined);
      times.push(await tab.evaluate(() => (window as unknown as { __listAt: number }).__listAt));
      const got = await Promise.all(sizes);
      files = got.map(([path, size]) => `${path} ${size}`);
      bytes = got.reduce((sum, [, size]) => sum + size, 0);
      await context.close();
    }
    const sorted = [...times].sort((a, b) => a - b);
    console.log(`first load files: ${files.join(", ")}`);
    console.log(`first load bytes (compressed, with headers): ${bytes}`);
    console.log(
      `navigation to session list: n=${sorted.length} median=${sorted[Math.floor(sorted.length / 2)]?.toFixed(0)} ms min=${sorted[0]?.toFixed(0)} ms max=${sorted.at(-1)?.toFixed(0)} ms`,
    );
    expect(times.every(Number.isFinite)).toBe(true);
  });
});
