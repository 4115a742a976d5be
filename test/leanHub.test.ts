/**
 * What an idle hub holds: code it needs only on first use is evaluated then, and then works
 * (docs/BENCHMARKS.md, "Memory: idle hub and host"). On the built hub, as it runs.
 */
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanupAll, REPO_ROOT, startHub } from "./harness.js";

const BUNDLE = join(REPO_ROOT, "dist/src/cli/dispatchServe.bundle.cjs");
const WEB = join(REPO_ROOT, "web/dist");

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const stop of stops.splice(0)) await stop();
});
afterAll(cleanupAll);

describe("the hub's code loaded on first use", () => {
  it("evaluates glob only where @fastify/static would list files, which the hub never asks it to", () => {
    const bundle = readFileSync(BUNDLE, "latin1");
    expect(bundle).toContain("const glob=(...args)=>require_");
    expect(bundle).not.toMatch(/const\{glob\}=require_/);
  });

  it("serves the web UI's page and its compressed assets", async () => {
    const h = await startHub();
    stops.push(() => h.stop());
    const page = await fetch(`${h.url}/`, { headers: { accept: "text/html" } });
    if (!existsSync(join(WEB, "index.html"))) {
      expect(page.status).toBe(503);
      return;
    }
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toContain("text/html");
    const html = await page.text();
    const asset = readdirSync(join(WEB, "assets")).find((f) => f.endsWith(".js") && html.includes(f));
    expect(asset, "the page names a script in web/dist/assets").toBeDefined();
    const script = await fetch(`${h.url}/assets/${asset}`, { headers: { "accept-encoding": "br" } });
    expect(script.status).toBe(200);
    expect(script.headers.get("cache-control")).toContain("immutable");
    expect((await script.text()).length).toBeGreaterThan(0);
  });
});
