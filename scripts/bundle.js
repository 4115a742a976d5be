// Bundles the entries that boot on a hub (re)start into one file each, in place of tsc's output:
// the hub (`dispatchServe.js`), the local host (`host/main.js`), the supervisor and the CLI.
// Node resolves, reads and compiles every ES module on its own; the hub's ~600 modules took
// most of a second at start-up (docs/BENCHMARKS.md, "Restart: the critical path").
//
// Each bundle replaces its entry in dist/, so every path that spawns an entry stays the same.
// Bundled code that locates a file next to itself (`new URL("./worker.js", import.meta.url)`:
// the screen and search workers, the host entry, the web UI) gets `import.meta.url` rewritten to
// its own module's place in dist/, relative to the bundle. Kept out, loaded from node_modules:
// native addons, and what is loaded only on first use (zeromq, openid-client, the LLM SDKs, pg).
// A plug-in kind (DISPATCH_PLUGINS) imports its own copies of the modules it uses (zod, the
// kind helpers, DispatchError, which is recognised across copies).

import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, relative, resolve } from "node:path";
import { rolldown } from "rolldown";

const EXTERNAL = [
  "better-sqlite3",
  "node-pty",
  "pg-native",
  "zeromq",
  "bufferutil",
  "utf-8-validate",
  "openid-client",
  "@anthropic-ai/sdk",
  "openai",
  "pg",
];

/**
 * Every bundle's entry; its code-split chunks go next to it, named `<prefix>-<hash>.js`.
 * `cached`: the bundle is CommonJS (`<name>.bundle.cjs`, chunks `.cjs`) and the entry's file
 * becomes a small loader that runs it through V8's code cache (`src/platform/cachedBundle.ts`):
 * compiling the hub's 2 MB was a third of its time to modules loaded on a restart.
 * `saveAtExit`: the loader also writes the cache as the process exits (a CLI call ends before
 * the hub's delay), and once more for each command it holds no run of yet (`process.argv[2]`).
 * `before`: a module (in dist/) whose export the loader awaits before it runs the bundle.
 * `lazy`: externals a CommonJS bundle requires on first use, not as it starts (`lazyRequires`). `keepOut`: files (in dist/) left out of the bundle, imported at run time.
 */
const ENTRIES = [
  // Not split: a cached bundle runs outside Node's module cache, so a chunk that requires the
  // entry back would run the whole hub a second time. Its lazily imported kinds stay lazy (only
  // evaluated on first use); they are only compiled with the rest, from the code cache.
  // `before`: run by the loader before the bundle (a module in dist/, its export awaited): the
  // local host starts while the hub's bundle loads, not after (`hub/earlyLocalHost.ts`).
  {
    file: "dist/src/cli/dispatchServe.js",
    prefix: "serve-chunk",
    split: false,
    cached: true,
    before: { file: "dist/src/hub/earlyLocalHost.js", run: "startLocalHostEarly" },
  },
  { file: "dist/src/cli/superviseMain.js", prefix: "supervise-chunk", split: false },
  // The CLI: one cached bundle too (a CLI call compiled ~600 KB of chunks on every run); a
  // command's modules are evaluated only when it runs (`program.ts`), and the cache is written
  // as the first command after a build exits. The hub's server stays out: `dispatch serve` runs
  // the hub's own entry (`main.ts`), so no CLI call reads and hashes 1.5 MB it never runs.
  {
    file: "dist/src/cli/main.js",
    prefix: "cli-chunk",
    split: false,
    cached: true,
    saveAtExit: true,
    keepOut: ["dist/src/server/main.js"],
    lazy: ["better-sqlite3", "node-pty", "node:https", "node:child_process", "node:zlib", "node:net"],
  },
  { file: "dist/src/host/main.js", prefix: "host-chunk", split: true },
];

/**
 * First line of everything this writes in place of tsc's output: run twice without tsc in
 * between, the second run would bundle a bundle (the hub's loader would load itself forever).
 */
const BUNDLED_MARK = "// bundled by scripts/bundle.js";

/** The loader's option for `saveAtExit`: each command (`dispatch ls`) is a run of its own. */
const SAVE_AT_EXIT = ', { saveAtExit: { run: process.argv[2] ?? "" } }';

const isExternal = (id) => EXTERNAL.some((name) => id === name || id.startsWith(`${name}/`));

/** External: a package of EXTERNAL, or a file of `keepOut` (paths in dist/), however imported. */
function externalFor(keepOut = []) {
  const files = new Set(keepOut.map((file) => resolve(file)));
  return (id, importer) =>
    isExternal(id) ||
    files.has(id) ||
    (id.startsWith(".") && importer !== undefined && files.has(resolve(dirname(importer), id)));
}

/**
 * A cached bundle's code may be restored from a cache another process wrote, and Node 20 then
 * fails its `import()` ("A dynamic import callback was not specified"): a package loaded on
 * first use must come through `importModule` (src/core/importModule.ts). A remote host's chats
 * failed every message so. Relative imports are the bundle's own entries, run before any cache.
 */
function refuseBareImports(code, file) {
  const bare = [...code.matchAll(/\bimport\((["'`])([^"'`]+)\1\)/g)]
    .map((match) => match[2])
    .filter((specifier) => !specifier.startsWith("."));
  if (bare.length > 0)
    throw new Error(
      `bundle.js: ${file} imports ${bare.join(", ")} with import(), which fails once its code comes from the V8 cache; use importModule (src/core/importModule.ts)`,
    );
}

/**
 * A CommonJS bundle requires every external at its top, whichever module imports it and whether
 * or not that module ever runs: each CLI call loaded both native addons (better-sqlite3 for
 * `doctor` and `backup`, node-pty for `dispatch host`), TLS, and child_process (with dgram). Each of `names` becomes an object
 * that requires the module on its first property read (`better_sqlite3.default`,
 * `node_pty.spawn`); lines stay as they were, so the source map still fits.
 */
function lazyRequires(code, names) {
  const found = names.map((name) => {
    const quoted = JSON.stringify(name).replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const match = new RegExp(`let (\\w+)=require\\(${quoted}\\);(?:\\1=__toESM\\(\\1,1\\);)?`).exec(code);
    if (!match)
      throw new Error(
        `bundle.js: no top-level require of ${name} to make lazy (did rolldown's output change?)`,
      );
    const load = match[0].includes("__toESM")
      ? `__toESM(require(${JSON.stringify(name)}),1)`
      : `require(${JSON.stringify(name)})`;
    return { statement: match[0], index: match.index, lazy: `let ${match[1]}=__lazyExternal(()=>${load});` };
  });
  // Defined before the first of them is used (a `var` is hoisted, its value is not).
  const first = Math.min(...found.map((f) => f.index));
  let rewritten = `${code.slice(0, first)}var __lazyExternal=(load)=>{let m;return new Proxy({},{get:(_,k)=>(m??=load())[k],has:(_,k)=>k in(m??=load())})};${code.slice(first)}`;
  for (const { statement, lazy } of found) rewritten = rewritten.replace(statement, lazy);
  return rewritten;
}

/**
 * Requires of a dependency moved from its top into the one function that uses them, so a
 * process that never calls it never evaluates what they load. `@fastify/static` lists the
 * files to serve with `glob` only when it is not given a wildcard route, which the hub always
 * is (`src/server/static.ts`); evaluated at its top, glob held ~0.5 MB of an idle hub's heap
 * (docs/BENCHMARKS.md, "Memory: idle hub and host"). A dependency's update that moves the line
 * fails the build, not the hub.
 */
const DEFERRED_REQUIRES = [
  {
    file: "/node_modules/@fastify/static/index.js",
    statement: "const { glob } = require('glob')",
    deferred: "const glob = (...args) => require('glob').glob(...args)",
  },
  // Fastify makes an HTTP/2 or HTTPS server only when asked (`options.http2`, `options.https`);
  // `ws` connects with TLS only to a `wss:` address; prom-client pushes to a gateway only when
  // asked. At their tops they loaded `node:http2` and `node:https` with `node:tls`: 11 built-in
  // modules in the hub, 7 in the host, whose code (in the heap) and sources and code caches
  // (pages of the node binary, held for good once read) an idle daemon never needs
  // (docs/BENCHMARKS.md, "The node binary's pages"). Fastify's `node:dns` stays: `listen` loads
  // it anyway.
  lazyBuiltin("/node_modules/fastify/lib/server.js", "http2", "node:http2"),
  lazyBuiltin("/node_modules/fastify/lib/server.js", "https", "node:https"),
  lazyBuiltin("/node_modules/ws/lib/websocket.js", "https", "https"),
  lazyBuiltin("/node_modules/ws/lib/websocket.js", "tls", "tls"),
  lazyBuiltin("/node_modules/prom-client/lib/pushgateway.js", "https", "https"),
];

/**
 * `const name = require('id')` in `file` becomes an object that requires `id` on its first
 * property read (`https.request`): for a module read only as `name.property`.
 */
function lazyBuiltin(file, name, id) {
  return {
    file,
    statement: `const ${name} = require('${id}')`,
    deferred: `const ${name} = new Proxy({}, { get: (_, key) => require('${id}')[key] })`,
  };
}

function deferRequiresPlugin() {
  return {
    name: "dispatch-defer-requires",
    transform(code, id) {
      const found = DEFERRED_REQUIRES.filter((d) => id.endsWith(d.file));
      if (found.length === 0) return null;
      let rewritten = code;
      for (const { statement, deferred } of found) {
        if (!rewritten.includes(statement))
          throw new Error(
            `bundle.js: '${statement}' is no longer in ${id}; see DEFERRED_REQUIRES (did the dependency change?)`,
          );
        rewritten = rewritten.replace(statement, deferred);
      }
      return { code: rewritten, map: null };
    },
  };
}

/** `import.meta.url` of a module in dist/ as seen from a bundle written to `outDir`. */
function importMetaUrlPlugin(outDir) {
  return {
    name: "dispatch-import-meta-url",
    transform(code, id) {
      if (!code.includes("import.meta.url") || id.includes("/node_modules/")) return null;
      const path = relative(outDir, id);
      const rewritten = code.replaceAll(
        "import.meta.url",
        `new URL(${JSON.stringify(path.startsWith(".") ? path : `./${path}`)}, import.meta.url).href`,
      );
      return { code: rewritten, map: null };
    },
  };
}

for (const entry of ENTRIES) {
  const input = resolve(entry.file);
  const outDir = dirname(input);
  const name = basename(input, ".js");
  if (readFileSync(input, "utf8").startsWith(BUNDLED_MARK)) {
    console.log(`${entry.file} is bundled already; run tsc first to bundle it again`);
    continue;
  }
  for (const file of readdirSync(outDir)) {
    if (file.startsWith(`${entry.prefix}-`) || file.startsWith(`${name}.bundle.cjs`))
      rmSync(resolve(outDir, file));
  }
  const bundle = await rolldown({
    input,
    platform: "node",
    external: externalFor(entry.keepOut),
    plugins: [importMetaUrlPlugin(outDir), deferRequiresPlugin()],
    logLevel: "warn",
    // Some dependencies `require` optional packages inside try/catch; leave those to run time.
    onLog(level, log, handler) {
      if (log.code === "UNRESOLVED_IMPORT" || log.code === "EVAL") return;
      handler(level, log);
    },
  });
  await bundle.write({
    dir: outDir,
    format: entry.cached ? "cjs" : "esm",
    entryFileNames: entry.cached ? "[name].bundle.cjs" : "[name].js",
    chunkFileNames: `${entry.prefix}-[hash].${entry.cached ? "cjs" : "js"}`,
    codeSplitting: entry.split,
    sourcemap: true,
    // Smaller and ASCII only: V8 keeps a module's whole source in the heap, two bytes a
    // character if one character is not Latin-1. Names stay (no mangling) for readable stacks.
    minify: { compress: false, mangle: false, codegen: { removeWhitespace: true } },
    comments: false,
    charset: "ascii",
    // After minifying, which drops comments.
    postBanner: BUNDLED_MARK,
  });
  await bundle.close();
  if (entry.lazy) {
    const bundleFile = resolve(outDir, `${name}.bundle.cjs`);
    writeFileSync(bundleFile, lazyRequires(readFileSync(bundleFile, "utf8"), entry.lazy));
  }
  if (entry.cached) {
    refuseBareImports(readFileSync(resolve(outDir, `${name}.bundle.cjs`), "utf8"), entry.file);
    rmSync(`${input}.map`, { force: true });
    const specifier = (file) => {
      const path = relative(outDir, resolve(file));
      return JSON.stringify(path.startsWith(".") ? path : `./${path}`);
    };
    const before = entry.before
      ? [
          `import { ${entry.before.run} } from ${specifier(entry.before.file)};`,
          `await ${entry.before.run}();`,
        ]
      : [];
    writeFileSync(
      input,
      [
        `${BUNDLED_MARK}: runs the CommonJS bundle beside it through V8's code cache.`,
        `import { runCachedBundle } from ${specifier("dist/src/platform/cachedBundle.js")};`,
        ...before,
        `runCachedBundle(new URL(${JSON.stringify(`./${name}.bundle.cjs`)}, import.meta.url)${entry.saveAtExit ? SAVE_AT_EXIT : ""});`,
        "",
      ].join("\n"),
    );
    await bundleLoader(input, outDir);
  }
}

/**
 * The loader and what it imports (the code cache's reader; the hub's early host start with its
 * ~10 modules) become one ES module in place of the loader: Node resolves, reads and compiles
 * each ES module on its own, before the bundle runs (docs/BENCHMARKS.md, "Restart: the hub's
 * entry in one module").
 */
async function bundleLoader(input, outDir) {
  const loader = await rolldown({
    input,
    platform: "node",
    external: externalFor(),
    plugins: [importMetaUrlPlugin(outDir)],
    logLevel: "warn",
  });
  await loader.write({
    dir: outDir,
    format: "esm",
    entryFileNames: basename(input),
    codeSplitting: false,
    comments: false,
    postBanner: `${BUNDLED_MARK}: runs the CommonJS bundle beside it through V8's code cache.`,
  });
  await loader.close();
}
