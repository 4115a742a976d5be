/**
 * What an idle hub holds: code it needs only on first use is evaluated then, and then works
 * (docs/BENCHMARKS.md, "Memory: idle hub and host"). On the built hub, as it runs.
 */
import { spawnSync } from "node:child_process";
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

/**
 * Every module a process loads with `entry` (a module in dist/, as tsc built it): what a start
 * evaluates, before anything is first used. Resolved URLs, from a resolve hook.
 */
function modulesLoadedBy(entry: string): string[] {
  const hook = `
    let port;
    export function initialize(data) { port = data.port; }
    export async function resolve(specifier, context, next) {
      const resolved = await next(specifier, context);
      port.postMessage(resolved.url);
      return resolved;
    }`;
  const script = `
    import { register } from "node:module";
    import { MessageChannel } from "node:worker_threads";
    const { port1, port2 } = new MessageChannel();
    const urls = [];
    port1.on("message", (url) => urls.push(url));
    register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(hook)}`)}, import.meta.url, {
      data: { port: port2 },
      transferList: [port2],
    });
    await import(${JSON.stringify(join(REPO_ROOT, entry))});
    setTimeout(() => { console.log(JSON.stringify(urls)); process.exit(0); }, 100);`;
  const result = spawnSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
  expect(result.stderr).toBe("");
  return JSON.parse(result.stdout) as string[];
}

describe("what a hub on SQLite and a host of terminals load at start", () => {
  it("the hub: no PostgreSQL store, no cluster", () => {
    const loaded = modulesLoadedBy("dist/src/server/main.js");
    expect(loaded.some((url) => url.endsWith("/src/hub/Hub.js"))).toBe(true);
    const unwanted = loaded.filter((url) =>
      /\/store\/postgres\/(?!PostgresError\.js)|\/hub\/cluster\/|\/protocol\/cluster\.js/.test(url),
    );
    expect(unwanted).toEqual([]);
  });

  it("the host: no chat or agent runtime, no workspace schemas", () => {
    const loaded = modulesLoadedBy("dist/src/host/HostDaemon.js");
    expect(loaded.some((url) => url.endsWith("/runtimes/registry.js"))).toBe(true);
    const unwanted = loaded.filter((url) =>
      /\/runtimes\/(chat|agent)\.js$|\/kinds\/chat\/|\/kinds\/workspace\/index\.js$|\/protocol\/workspace\//.test(
        url,
      ),
    );
    expect(unwanted).toEqual([]);
  });
});
