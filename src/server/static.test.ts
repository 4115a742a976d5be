import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { brotliCompressSync, brotliDecompressSync } from "node:zlib";
import Fastify, { type FastifyInstance } from "fastify";
import { afterEach, describe, expect, it } from "vitest";
import { registerStatic } from "./static.js";

let app: FastifyInstance | undefined;
let root: string | undefined;

afterEach(async () => {
  await app?.close();
  if (root) rmSync(root, { recursive: true, force: true });
  app = undefined;
  root = undefined;
});

async function serve(withIndex: boolean): Promise<{ app: FastifyInstance; root: string }> {
  root = mkdtempSync(join(tmpdir(), "dispatch-static-"));
  mkdirSync(join(root, "assets"));
  if (withIndex) writeFileSync(join(root, "index.html"), "<!doctype html><p>app</p>");
  app = Fastify();
  await registerStatic(app, root);
  await app.ready();
  return { app, root };
}

describe("the web UI's files", () => {
  it("serves assets written after the hub started (a rebuild or an upgrade in place)", async () => {
    const { app, root } = await serve(true);
    writeFileSync(join(root, "assets", "index-new.js"), "console.log(1)");
    const asset = await app.inject({ method: "GET", url: "/assets/index-new.js" });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.body).toBe("console.log(1)");
  });

  it("answers the app's own routes with index.html, a missing file and the API with a 404", async () => {
    const { app } = await serve(true);
    const route = await app.inject({ method: "GET", url: "/sessions/build?x=1" });
    expect(route.statusCode).toBe(200);
    expect(route.body).toContain("<p>app</p>");
    const missing = await app.inject({ method: "GET", url: "/assets/index-old.js" });
    expect(missing.statusCode).toBe(404);
    expect(missing.json().error.message).toBe("no route GET /assets/index-old.js");
    for (const url of ["/assets/..%2f..%2findex.ts", "/%2e%2e/%2e%2e/package.json"]) {
      expect((await app.inject({ method: "GET", url })).statusCode, url).toBe(404);
    }
    const api = await app.inject({ method: "GET", url: "/api/nothing" });
    expect(api.statusCode).toBe(404);
  });

  it("answers /favicon.ico with the UI's icon, so a JSON page in a tab logs no 404", async () => {
    const { app, root } = await serve(true);
    expect((await app.inject({ method: "GET", url: "/favicon.ico" })).statusCode).toBe(404);
    writeFileSync(join(root, "favicon.svg"), "<svg/>");
    const icon = await app.inject({ method: "GET", url: "/favicon.ico" });
    expect(icon.statusCode).toBe(200);
    expect(icon.headers["content-type"]).toMatch(/^image\/svg\+xml/);
    expect(icon.body).toBe("<svg/>");
  });

  it("says how to build the UI when there is no build, and serves it once built", async () => {
    const { app, root } = await serve(false);
    const before = await app.inject({ method: "GET", url: "/" });
    expect(before.statusCode).toBe(503);
    expect(before.body).toContain("npm run build");
    writeFileSync(join(root, "index.html"), "<!doctype html><p>app</p>");
    const after = await app.inject({ method: "GET", url: "/" });
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain("<p>app</p>");
  });

  it("sends an asset compressed when the build wrote it so, kept by the browser; the page is asked for each time", async () => {
    const { app, root } = await serve(true);
    const script = `console.log("${"x".repeat(4000)}")`;
    writeFileSync(join(root, "assets", "index-abc.js"), script);
    writeFileSync(join(root, "assets", "index-abc.js.br"), brotliCompressSync(script));
    const asset = await app.inject({
      method: "GET",
      url: "/assets/index-abc.js",
      headers: { "accept-encoding": "gzip, deflate, br" },
    });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers["content-encoding"]).toBe("br");
    expect(asset.headers["content-type"]).toMatch(/javascript/);
    expect(asset.rawPayload.length).toBeLessThan(script.length / 10);
    expect(brotliDecompressSync(asset.rawPayload).toString()).toBe(script);
    expect(asset.headers["cache-control"]).toBe("public, max-age=31536000, immutable");
    // A browser that takes no compression gets the file as built.
    const plain = await app.inject({ method: "GET", url: "/assets/index-abc.js" });
    expect(plain.headers["content-encoding"]).toBeUndefined();
    expect(plain.body).toBe(script);
    // The page names the assets of the current build: never kept without asking.
    for (const url of ["/", "/index.html", "/sessions/build"]) {
      const page = await app.inject({ method: "GET", url });
      expect(page.statusCode, url).toBe(200);
      expect(page.headers["cache-control"], url).toBe("no-cache");
    }
  });
});
