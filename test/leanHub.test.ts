/**
 * What an idle hub holds: code it needs only on first use is evaluated then, and then works
 * (docs/BENCHMARKS.md, "Memory: idle hub and host"). On the built hub, as it runs.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { cleanupAll, REPO_ROOT, startHub, waitFor } from "./harness.js";

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

describe("Node's built-in modules an idle hub and host load", () => {
  it("no TLS or HTTP/2 until a TLS hub, a wss: link or an HTTP/2 server needs it", async () => {
    // Each process writes the built-ins it has loaded (`process.moduleLoadList`) when signalled.
    // Written aside and renamed, so the test never reads half a list.
    const dir = mkdtempSync(join(tmpdir(), "dispatch-lean-"));
    const preload = join(dir, "list.cjs");
    writeFileSync(
      preload,
      `const fs = require("fs");
      process.on("SIGUSR2", () => {
        const file = ${JSON.stringify(dir)} + "/" + process.pid;
        fs.writeFileSync(file + ".part", process.moduleLoadList.join("\\n"));
        fs.renameSync(file + ".part", file);
      });`,
    );
    const h = await startHub({ env: { NODE_OPTIONS: `--require ${preload}` } }).catch((error: unknown) => {
      rmSync(dir, { recursive: true, force: true });
      throw error;
    });
    stops.push(async () => {
      await h.stop();
      rmSync(dir, { recursive: true, force: true });
    });
    const socket = await h.socket();
    await socket.create({ command: ["sleep", "60"] });
    const { hub, host } = h.pids();
    if (hub === undefined || host === undefined)
      throw new Error("the hub and its local host should be running");
    const builtins = async (pid: number) => {
      process.kill(pid, "SIGUSR2");
      const list = await waitFor(
        () => (existsSync(join(dir, String(pid))) ? readFileSync(join(dir, String(pid)), "utf8") : undefined),
        {
          message: `the built-ins of pid ${pid}`,
        },
      );
      return list.split("\n").filter((line) => line.startsWith("NativeModule "));
    };
    const unwanted = /^NativeModule (tls|https|http2|_tls_wrap|internal\/http2\/core)$/;
    for (const pid of [hub, host]) {
      const loaded = await builtins(pid);
      expect(loaded).toContain("NativeModule http");
      expect(loaded.filter((line) => unwanted.test(line))).toEqual([]);
    }
  });
});

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
