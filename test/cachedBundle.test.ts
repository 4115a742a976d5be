/**
 * The hub's entry runs its CommonJS bundle through V8's code cache (`src/platform/cachedBundle.ts`).
 * Real processes run a small bundle through the built loader: the cache is written, then used;
 * an edited bundle (same length, which V8 alone would accept) runs its new code; a damaged or
 * truncated cache falls back to compiling and is replaced. And the built hub and CLI entries are
 * loaders; the CLI, whose command ends before the hub's delay, writes its cache as it exits.
 */
import { spawnSync } from "node:child_process";
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { SETTLED_MS } from "../src/platform/cachedBundle.js";
import { cleanEnv, REPO_ROOT } from "./cliProcess.js";

const LOADER = join(REPO_ROOT, "dist/src/platform/cachedBundle.js");
const dirs: string[] = [];
const files: string[] = [];

afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  for (const file of files.splice(0)) rmSync(file, { force: true });
});

/** A bundle whose output names its version and uses what a CommonJS module is given. */
function bundleSource(version: string): string {
  return [
    `const path = require("node:path");`,
    `function answer() { return "${version}:" + path.basename(__filename) + ":" + typeof module.exports; }`,
    `setTimeout(() => console.log(answer()), 20);`,
    "",
  ].join("\n");
}

/**
 * Runs the bundle through the loader in a fresh process (cache saved at once), with Node's
 * `flags`, its clock `aheadMs` ahead (a start long after the bundle was written: a bundle
 * written by the test has just changed); its lines.
 */
function run(bundle: string, flags: string[] = [], aheadMs = 0): { use: string; output: string } {
  // A file, not `--input-type=module -e`: Node's own options are in execArgv too, and would
  // name a cache of their own.
  const script = join(dirname(bundle), "run.mjs");
  writeFileSync(
    script,
    `import { runCachedBundle } from ${JSON.stringify(LOADER)};
const now = Date.now;
Date.now = () => now() + Number(process.argv[3]);
console.log(runCachedBundle(process.argv[2], { saveAfterMs: 0 }));`,
  );
  const result = spawnSync(process.execPath, [...flags, script, bundle, String(aheadMs)], {
    encoding: "utf8",
  });
  expect(result.stderr).toBe("");
  expect(result.status).toBe(0);
  const [use, output] = result.stdout.trim().split("\n");
  return { use: use ?? "", output: output ?? "" };
}

/** What an ES module's static imports name. */
function importsOf(source: string): string[] {
  return [...source.matchAll(/^import\b[^;]*?["']([^"']+)["']/gm)].map((match) => match[1] ?? "");
}

/** The second half of a cache's key: the bundle's SHA-256, or zeros once keyed on its file alone. */
function contentKey(cache: string): Buffer {
  return readFileSync(cache).subarray(32, 64);
}

function freshBundle(version: string): string {
  const dir = mkdtempSync(join(tmpdir(), "dispatch-cached-bundle-"));
  dirs.push(dir);
  const bundle = join(dir, "entry.bundle.cjs");
  writeFileSync(bundle, bundleSource(version));
  return bundle;
}

describe("bundles run through V8's code cache", () => {
  it("writes the cache on the first run and uses it on the next", () => {
    const bundle = freshBundle("one");
    expect(run(bundle)).toEqual({ use: "missing", output: "one:entry.bundle.cjs:object" });
    expect(existsSync(`${bundle}.v8cache`)).toBe(true);
    expect(run(bundle)).toEqual({ use: "used", output: "one:entry.bundle.cjs:object" });
  });

  it("keeps a cache per set of V8 flags, so runs with and without flags do not undo each other's", () => {
    const bundle = freshBundle("one");
    const flags = ["--max-semi-space-size=2", "--expose-gc"];
    expect(run(bundle).use).toBe("missing");
    expect(run(bundle, flags).use).toBe("missing");
    // One cache each: before, the flagged run rejected the other's and rewrote the one file.
    expect(run(bundle).use).toBe("used");
    expect(run(bundle, flags).use).toBe("used");
    expect(run(bundle, flags).output).toBe("one:entry.bundle.cjs:object");
  });

  it("runs an edited bundle's new code, not the cached old one, and replaces the cache", () => {
    const bundle = freshBundle("one");
    run(bundle);
    const before = readFileSync(`${bundle}.v8cache`);
    // Same length: V8's own check of cached data (the source's length) would accept it.
    writeFileSync(bundle, bundleSource("two"));
    expect(run(bundle)).toEqual({ use: "missing", output: "two:entry.bundle.cjs:object" });
    expect(readFileSync(`${bundle}.v8cache`).equals(before)).toBe(false);
    expect(run(bundle)).toEqual({ use: "used", output: "two:entry.bundle.cjs:object" });
  });

  it("keys a settled bundle's cache on its file, not its bytes, and still runs an edited bundle's new code", () => {
    const bundle = freshBundle("one");
    const later = SETTLED_MS + 1000;
    const cache = `${bundle}.v8cache`;
    // Just written: keyed on the bytes too (an edit in the same clock tick keeps the file's times).
    expect(run(bundle).use).toBe("missing");
    expect(contentKey(cache).some((byte) => byte !== 0)).toBe(true);
    // Settled: used, and keyed again on the file alone, so later starts need not hash it.
    expect(run(bundle, [], later)).toEqual({ use: "used", output: "one:entry.bundle.cjs:object" });
    expect(contentKey(cache).every((byte) => byte === 0)).toBe(true);
    expect(run(bundle, [], later)).toEqual({ use: "used", output: "one:entry.bundle.cjs:object" });
    // Edited in place, same length, its mtime set back as `cp -p`, tar or npm do.
    const { atime, mtime } = statSync(bundle);
    writeFileSync(bundle, bundleSource("two"));
    utimesSync(bundle, atime, mtime);
    expect(run(bundle, [], later)).toEqual({ use: "missing", output: "two:entry.bundle.cjs:object" });
    expect(run(bundle, [], later)).toEqual({ use: "used", output: "two:entry.bundle.cjs:object" });
  });

  it("falls back to compiling when the cache is damaged, and writes a good one", () => {
    const bundle = freshBundle("one");
    run(bundle);
    const cache = readFileSync(`${bundle}.v8cache`);
    // The key is intact, V8's data behind it is not.
    const damaged = Buffer.from(cache);
    damaged.fill(0x5a, 100);
    writeFileSync(`${bundle}.v8cache`, damaged);
    expect(run(bundle)).toEqual({ use: "rejected", output: "one:entry.bundle.cjs:object" });
    expect(run(bundle)).toEqual({ use: "used", output: "one:entry.bundle.cjs:object" });
    // Cut short, even inside the key.
    writeFileSync(`${bundle}.v8cache`, cache.subarray(0, 10));
    expect(run(bundle)).toEqual({ use: "missing", output: "one:entry.bundle.cjs:object" });
    expect(run(bundle)).toEqual({ use: "used", output: "one:entry.bundle.cjs:object" });
  });

  it("lends the bundle an import() that still works when its code comes from the cache", () => {
    const bundle = freshBundle("one");
    // What `importModule` (src/core/importModule.ts) does inside the bundle: Node 20 loses a
    // bare import() in code restored from a cache another process wrote.
    writeFileSync(
      bundle,
      [
        `const lent = globalThis[Symbol.for("dispatch.importModule")];`,
        `setTimeout(() => lent("node:os").then((os) => console.log(typeof os.cpus)), 20);`,
        "",
      ].join("\n"),
    );
    expect(run(bundle)).toEqual({ use: "missing", output: "function" });
    expect(run(bundle)).toEqual({ use: "used", output: "function" });
  });

  it("lets the bundle's bytes go once it runs: a daemon does not hold its file's copy for good", () => {
    const bundle = freshBundle("one");
    // 8 MB of bundle, as read from its file: the hub's is ~2 MB, and was held all its life.
    const padding = `/*${"x".repeat(8 * 1024 * 1024)}*/`;
    writeFileSync(
      bundle,
      [
        padding,
        `setTimeout(() => { gc(); console.log(Math.round(process.memoryUsage().arrayBuffers / 1e6)); }, 20);`,
        "",
      ].join("\n"),
    );
    const settled = SETTLED_MS + 1000;
    expect(run(bundle, ["--expose-gc"]).use).toBe("missing");
    // Used and current: the daemon's usual start, nothing left to save.
    const { use, output } = run(bundle, ["--expose-gc"], settled);
    expect(use).toBe("used");
    expect(Number(output)).toBeLessThan(4);
  });

  it("the built hub entry is the loader of a CommonJS bundle", () => {
    const entry = readFileSync(join(REPO_ROOT, "dist/src/cli/dispatchServe.js"), "utf8");
    expect(entry).toContain("runCachedBundle");
    expect(existsSync(join(REPO_ROOT, "dist/src/cli/dispatchServe.bundle.cjs"))).toBe(true);
    // One ES module: Node resolves, reads and compiles each one on its own before the bundle runs.
    expect(importsOf(entry).filter((specifier) => !specifier.startsWith("node:"))).toEqual([]);
  });

  it("the built CLI entry is the loader of a CommonJS bundle", () => {
    const entry = readFileSync(join(REPO_ROOT, "dist/src/cli/main.js"), "utf8");
    expect(entry).toContain("runCachedBundle");
    expect(existsSync(join(REPO_ROOT, "dist/src/cli/main.bundle.cjs"))).toBe(true);
    expect(importsOf(entry).filter((specifier) => !specifier.startsWith("node:"))).toEqual([]);
  });
});

describe("the CLI's code cache", () => {
  /**
   * A copy of the built CLI beside it (its relative imports and requires still resolve), with
   * its own cache: the real one is shared with every CLI the other tests start.
   */
  function cliCopy(): { entry: string; cache: string } {
    const cli = join(REPO_ROOT, "dist/src/cli");
    const name = `cache-test-${process.pid}-${Date.now()}`;
    const bundle = join(cli, `${name}.bundle.cjs`);
    copyFileSync(join(cli, "main.bundle.cjs"), bundle);
    const entry = join(cli, `${name}.js`);
    writeFileSync(
      entry,
      readFileSync(join(cli, "main.js"), "utf8").replace("./main.bundle.cjs", `./${name}.bundle.cjs`),
    );
    files.push(bundle, entry, `${bundle}.v8cache`);
    return { entry, cache: `${bundle}.v8cache` };
  }

  function version(entry: string): string {
    const home = mkdtempSync(join(tmpdir(), "dispatch-cli-cache-"));
    dirs.push(home);
    const result = spawnSync(process.execPath, [entry, "--version"], {
      encoding: "utf8",
      env: cleanEnv({ DISPATCH_HOME: home }),
    });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
    return result.stdout.trim();
  }

  it("is written by the first command; a damaged or cut cache still runs the command and is replaced", () => {
    const { entry, cache } = cliCopy();
    expect(existsSync(cache)).toBe(false);
    expect(version(entry)).toBe("0.1.0");
    const good = readFileSync(cache);
    expect(good.length).toBeGreaterThan(1000);
    // Key and header intact, V8's data behind them not.
    const damaged = Buffer.from(good);
    damaged.fill(0x5a, good.length >> 1);
    writeFileSync(cache, damaged);
    expect(version(entry)).toBe("0.1.0");
    const replaced = readFileSync(cache);
    expect(replaced.equals(damaged)).toBe(false);
    expect(replaced.length).toBeGreaterThan(1000);
    // Cut short inside the header.
    writeFileSync(cache, good.subarray(0, 20));
    expect(version(entry)).toBe("0.1.0");
    expect(readFileSync(cache).length).toBeGreaterThan(1000);
  });
});
