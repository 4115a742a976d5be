/**
 * Runs a CommonJS bundle through V8's code cache. The hub's bundle is ~2 MB of JavaScript, and
 * compiling it (plus the functions start-up calls) was a third of the time from the hub's
 * process start to its modules loaded (docs/BENCHMARKS.md, "Restart: the critical path"). Node
 * 20 has no compile cache of its own for modules, so the build emits the bundle as CommonJS and
 * a small entry that calls this with it.
 *
 * The cache sits beside the bundle (`<bundle>.v8cache`): a key (SHA-256 of the bundle's bytes,
 * the Node version and the architecture) and V8's cached data. A missing, stale or damaged cache
 * only costs the compile: V8 checks its own data and rejects what does not fit, and the entry
 * writes a fresh one a few seconds after start-up (by then the functions start-up ran are
 * compiled too, and are in it). A cache that cannot be written (a read-only install) is skipped.
 */
import { createHash } from "node:crypto";
import { readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { fileURLToPath } from "node:url";
import vm from "node:vm";
import { lendImport } from "../core/importModule.js";

/** How long after the bundle ran a fresh cache is written: start-up's functions are compiled by then. */
export const CACHE_SAVE_DELAY_MS = 2000;

/**
 * The CommonJS wrapper Node's own loader puts around a module; on the bundle's first line, with
 * the column offset taking it back out, so stack traces and profiles map through the source map.
 */
const WRAP_HEAD = "(function (exports, require, module, __filename, __dirname) { ";
const WRAP_TAIL = "\n})";

const KEY_BYTES = 32;

export function cacheFileOf(bundleFile: string): string {
  return `${bundleFile}.v8cache`;
}

export type CacheUse = "used" | "missing" | "rejected";

/**
 * Runs `bundle` (a path or file: URL) as a CommonJS module; says what became of its cache.
 * V8 checks cached data only against the source's length, so the key is what keeps an edited
 * bundle from running its old code.
 */
export function runCachedBundle(bundle: string | URL, options: { saveAfterMs?: number } = {}): CacheUse {
  const file = typeof bundle === "string" ? bundle : fileURLToPath(bundle);
  const bytes = readFileSync(file);
  const key = createHash("sha256").update(`${process.version} ${process.arch}\n`).update(bytes).digest();
  const cacheFile = cacheFileOf(file);
  const cachedData = readCache(cacheFile, key);
  // The bundle is ASCII (scripts/bundle.js), so latin1 is exact and gives V8 a one-byte string.
  const source = bytes.toString("latin1").replace(/^#!.*/, "");
  const script = new vm.Script(`${WRAP_HEAD}${source}${WRAP_TAIL}`, {
    filename: file,
    columnOffset: -WRAP_HEAD.length,
    cachedData,
    // `import()` inside the bundle goes to Node's own loader, but only while the code was
    // compiled here: restored from a cache another process wrote, Node 20 has lost it. The
    // bundle's run-time imports go through `importModule`, which uses the one lent below.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  lendImport((specifier) => import(specifier));
  const use: CacheUse =
    cachedData === undefined ? "missing" : script.cachedDataRejected ? "rejected" : "used";
  if (use !== "used") {
    const timer = setTimeout(
      () => saveCache(cacheFile, key, () => script.createCachedData()),
      options.saveAfterMs ?? CACHE_SAVE_DELAY_MS,
    );
    timer.unref();
  }
  const run = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} };
  run.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return use;
}

function readCache(cacheFile: string, key: Buffer): Buffer | undefined {
  let data: Buffer;
  try {
    data = readFileSync(cacheFile);
  } catch {
    // No cache yet (a fresh build): compiled from source, saved after start-up.
    return undefined;
  }
  return data.length > KEY_BYTES && data.subarray(0, KEY_BYTES).equals(key)
    ? data.subarray(KEY_BYTES)
    : undefined;
}

function saveCache(cacheFile: string, key: Buffer, data: () => Buffer): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    // Written aside and renamed: another process starting now reads the old file or the new one.
    writeFileSync(temporary, Buffer.concat([key, data()]));
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install or a full disk: the next start compiles again, nothing else changes.
    rmSync(temporary, { force: true });
  }
}
