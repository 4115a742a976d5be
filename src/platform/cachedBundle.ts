/**
 * Runs a CommonJS bundle through V8's code cache. The hub's bundle is ~2 MB of JavaScript, and
 * compiling it (plus the functions start-up calls) was a third of the time from the hub's
 * process start to its modules loaded (docs/BENCHMARKS.md, "Restart: the critical path"). Node
 * 20 has no compile cache of its own for modules, so the build emits the bundle as CommonJS and
 * a small entry that calls this with it.
 *
 * The cache sits beside the bundle (`<bundle>.v8cache`): a key (the bundle's file identity, see
 * `bundleIdentity`, the Node version and the architecture), a digest of the rest, the runs it
 * holds the functions of (`run`, below) and V8's cached data. A missing, stale or damaged cache only costs the
 * compile: the digest and V8 reject what does not fit, and the entry writes a fresh one a few seconds after
 * start-up (by then the functions start-up ran are compiled too, and are in it), or as it exits.
 * It is written aside and renamed, so processes starting at once each read a whole file. A
 * cache that cannot be written (a read-only install) is skipped.
 */
import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
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

/**
 * The bundle's `import()`, lent to it (`importModule`). Made here, not in `runCachedBundle`: a
 * closure made there keeps that call's scope alive for good, and with it the bundle's bytes as
 * read (a 2 MB Buffer the hub held all its life, docs/BENCHMARKS.md, "Memory: idle hub and host").
 */
const importFromHere = (specifier: string): Promise<unknown> => import(specifier);

/** The key: a SHA-256 of the bundle's identity, then a SHA-256 of its bytes or zeros (`bundleIdentity`). */
const KEY_BYTES = 64;
const IDENTITY_BYTES = 32;

/** A SHA-1 of the rest: it finds damage (a disk, a cut write), not an adversary, who could edit the bundle beside it. */
const DIGEST_BYTES = 20;
/**
 * A bundle whose inode changed less than this before it was read may change again within the
 * same tick of the file system's clock, unseen by its times: its cache is keyed on its bytes
 * too. Well above the coarse timestamps of local file systems (a few ms) and FAT's 2 s steps.
 */
export const SETTLED_MS = 3000;
/** Bytes of the length of the list of runs. */
const RUNS_LENGTH_BYTES = 2;
/** Runs a cache holds at most: past that, a new kind of run compiles what it lacks every time. */
const MAX_RUNS = 32;

/**
 * The cache of `bundleFile` for a process started with `flags` (Node's `execArgv`). V8 rejects
 * data cached under other flags, so one file per set of flags: with a single file, a foreground
 * `dispatch serve` (no flags) and the daemon hub (`leanNodeArgs`) each rejected and rewrote the
 * other's, and every other start compiled the whole bundle (~30% more instructions).
 */
export function cacheFileOf(bundleFile: string, flags: readonly string[] = process.execArgv): string {
  if (flags.length === 0) return `${bundleFile}.v8cache`;
  const tag = createHash("sha256").update(flags.join("\n")).digest("hex").slice(0, 12);
  return `${bundleFile}.${tag}.v8cache`;
}

export type CacheUse = "used" | "missing" | "rejected";

/**
 * Runs `bundle` (a path or file: URL) as a CommonJS module; says what became of its cache.
 * V8 checks cached data only against the source's length, so the key is what keeps an edited
 * bundle from running its old code.
 */
export function runCachedBundle(
  bundle: string | URL,
  options: {
    saveAfterMs?: number;
    /**
     * Also save as the process exits (a CLI command is over before the delay), and say what
     * this run is (the command's name): a cache that holds another run's functions only is
     * rewritten at exit with this one's too, so each kind of run finds its functions compiled.
     */
    saveAtExit?: { run: string };
  } = {},
): CacheUse {
  const file = typeof bundle === "string" ? bundle : fileURLToPath(bundle);
  const { bytes, identity } = readBundle(file);
  const cacheFile = cacheFileOf(file);
  const cached = readCache(cacheFile, identity, bytes);
  // The bundle is ASCII (scripts/bundle.js), so latin1 is exact and gives V8 a one-byte string.
  const source = bytes.toString("latin1").replace(/^#!.*/, "");
  const script = new vm.Script(`${WRAP_HEAD}${source}${WRAP_TAIL}`, {
    filename: file,
    columnOffset: -WRAP_HEAD.length,
    cachedData: typeof cached === "object" ? cached.data : undefined,
    // `import()` inside the bundle goes to Node's own loader, but only while the code was
    // compiled here: restored from a cache another process wrote, Node 20 has lost it. The
    // bundle's run-time imports go through `importModule`, which uses the one lent below.
    importModuleDynamically: vm.constants.USE_MAIN_CONTEXT_DEFAULT_LOADER,
  });
  lendImport(importFromHere);
  const use: CacheUse =
    cached === undefined
      ? "missing"
      : cached === "damaged" || script.cachedDataRejected
        ? "rejected"
        : "used";
  const atExit = options.saveAtExit;
  // Run names are the cache's own text: one short line each.
  const run = atExit?.run.replace(/[^\w.:-]/g, "").slice(0, 40) ?? "";
  const runs = use === "used" && typeof cached === "object" ? cached.runs : [];
  const save = (): void => {
    clearTimeout(timer);
    process.removeListener("exit", save);
    const held = runs.includes(run) || runs.length >= MAX_RUNS ? runs : [...runs, run];
    saveCache(cacheFile, keyOf(identity, bytes), held, () => script.createCachedData());
  };
  // Nothing to save: the cache was used, is keyed as a start now keys it (by identity alone once
  // the bundle settled) and already holds this kind of run.
  const current = use === "used" && typeof cached === "object" && !(cached.byBytes && !identity.unsettled);
  const timer = current ? undefined : setTimeout(save, options.saveAfterMs ?? CACHE_SAVE_DELAY_MS).unref();
  // Synchronous, all an `exit` listener may do; the functions the command ran are compiled by then.
  if (atExit && (!current || (!runs.includes(run) && runs.length < MAX_RUNS))) process.once("exit", save);
  const wrapper = script.runInThisContext() as (
    exports: unknown,
    require: NodeJS.Require,
    module: { exports: unknown },
    filename: string,
    dirname: string,
  ) => void;
  const module = { exports: {} };
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return use;
}

/** What a start knows of the bundle's file without hashing its 2 MB. */
interface BundleIdentity {
  /** SHA-256 of the Node version, the architecture and the file's device, inode, size and times. */
  digest: Buffer;
  /** Changed within `SETTLED_MS` of being read: its times alone cannot vouch for its bytes. */
  unsettled: boolean;
}

/**
 * The bundle's bytes and identity. Hashing the bytes cost every start ~20 ms on the 2-core VM
 * (docs/BENCHMARKS.md, "The code cache's key"); a file's device, inode, size, mtime and ctime
 * change with any edit, copy or install (ctime cannot be set back, as `cp -p`, tar or npm set
 * mtime). An edit in the same clock tick as the one before it keeps them, so a bundle changed
 * that recently (`unsettled`) is keyed on its bytes too. Stated before reading: a write during
 * the read leaves a later ctime, which no later start's identity matches.
 */
function readBundle(file: string): { bytes: Buffer; identity: BundleIdentity } {
  const fd = openSync(file, "r");
  try {
    const stat = fstatSync(fd, { bigint: true });
    const bytes = readFileSync(fd);
    const text = [process.version, process.arch, stat.dev, stat.ino, stat.size, stat.mtimeNs, stat.ctimeNs];
    const digest = createHash("sha256").update(text.join(" ")).digest();
    const unsettled = Date.now() - Number(stat.ctimeMs) < SETTLED_MS;
    return { bytes, identity: { digest, unsettled } };
  } finally {
    closeSync(fd);
  }
}

/** The cache's key: the identity, then the bytes' SHA-256 if the bundle has not settled (else zeros). */
function keyOf(identity: BundleIdentity, bytes: Buffer): Buffer {
  const content = identity.unsettled
    ? createHash("sha256").update(bytes).digest()
    : Buffer.alloc(KEY_BYTES - IDENTITY_BYTES);
  return Buffer.concat([identity.digest, content]);
}

/**
 * The cache of the bundle with `identity` and `bytes`: the runs whose functions it holds, V8's
 * data and whether it was keyed on the bytes too (a start now may key it on identity alone).
 * Its layout: the key, a digest of the rest, the list of runs (its length first) and V8's data.
 * V8 checks its data's header, not the data (Node 20 crashed on a cache damaged in the middle),
 * so the digest is what turns a damaged file into a compile.
 */
function readCache(
  cacheFile: string,
  identity: BundleIdentity,
  bytes: Buffer,
): { runs: string[]; data: Buffer; byBytes: boolean } | "damaged" | undefined {
  let file: Buffer;
  try {
    file = readFileSync(cacheFile);
  } catch {
    // No cache yet (a fresh build): compiled from source, saved after start-up.
    return undefined;
  }
  const restStart = KEY_BYTES + DIGEST_BYTES;
  const runsStart = restStart + RUNS_LENGTH_BYTES;
  if (file.length <= runsStart || !file.subarray(0, IDENTITY_BYTES).equals(identity.digest)) return undefined;
  // Keyed on the bytes too when it was written: they are hashed, once the bundle settled too.
  const content = file.subarray(IDENTITY_BYTES, KEY_BYTES);
  const byBytes = content.some((byte) => byte !== 0);
  if (byBytes && !createHash("sha256").update(bytes).digest().equals(content)) return undefined;
  const rest = file.subarray(restStart);
  if (!createHash("sha1").update(rest).digest().equals(file.subarray(KEY_BYTES, restStart))) return "damaged";
  const dataStart = runsStart + file.readUInt16BE(restStart);
  if (file.length <= dataStart) return "damaged";
  const runs = file.subarray(runsStart, dataStart).toString("latin1");
  return { runs: runs === "" ? [] : runs.split("\n"), data: file.subarray(dataStart), byBytes };
}

function saveCache(cacheFile: string, key: Buffer, runs: readonly string[], data: () => Buffer): void {
  const temporary = `${cacheFile}.${process.pid}.tmp`;
  try {
    const list = Buffer.from(runs.join("\n"), "latin1");
    const length = Buffer.alloc(RUNS_LENGTH_BYTES);
    length.writeUInt16BE(list.length);
    const rest = Buffer.concat([length, list, data()]);
    const digest = createHash("sha1").update(rest).digest();
    // Written aside and renamed: another process starting now reads the old file or the new one.
    writeFileSync(temporary, Buffer.concat([key, digest, rest]));
    renameSync(temporary, cacheFile);
  } catch {
    // A read-only install or a full disk: the next start compiles again, nothing else changes.
    rmSync(temporary, { force: true });
  }
}
