/**
 * The first page load: the session list comes without the scripts only some sessions need (the
 * editor's CodeMirror and Yjs). Also prints the bytes downloaded (as sent, compressed) and the
 * time from navigation to the session list, each round in a new browser context (nothing
 * cached); asserts nothing about time. More rounds for a figure worth reading:
 *   npm run build && DISPATCH_WEB_ROUNDS=7 npx vitest run test/web/firstLoad.test.ts
 */
import { readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { REPO_ROOT } from "../harness.js";
import { createSession, newContext, signIn, webSuite } from "./browser.js";

const ROUNDS = Number(process.env.DISPATCH_WEB_ROUNDS ?? 1);
const ASSETS = join(REPO_ROOT, "web", "dist", "assets");

describe("first page load", () => {
  const web = webSuite();

  it("shows the session list without fetching every script of the build", { timeout: 300_000 }, async () => {
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
    // The build's scripts, raw: what the page would fetch if nothing were left for later.
    const scripts = readdirSync(ASSETS).filter((name) => name.endsWith(".js"));
    const fetched = files.filter((line) => /\.js /.test(line));
    expect(scripts.length).toBeGreaterThan(1);
    expect(fetched.length).toBeGreaterThan(0);
    expect(fetched.length).toBeLessThan(scripts.length);
    const allBytes = scripts.reduce((sum, name) => sum + statSync(join(ASSETS, name)).size, 0);
    console.log(
      `build's scripts: ${scripts.length}, ${allBytes} bytes raw; first load fetched ${fetched.length}`,
    );
  });
});
