// Builds the browser UI into web/dist when the web app exists; the hub serves that folder.

import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { brotliCompressSync, constants, gzipSync } from "node:zlib";

if (!existsSync("web/vite.config.ts") && !existsSync("web/vite.config.js")) {
  console.log("web UI not present; skipping");
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  ["node_modules/vite/bin/vite.js", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"],
  { stdio: "inherit" },
);
if (result.status !== 0) process.exit(result.status ?? 1);

// Each script and stylesheet compressed beside it, which the hub sends to a browser that accepts
// it (src/server/static.ts): ~1.1 MB of script becomes ~0.3 MB, read once per build, not per request.
const assets = "web/dist/assets";
for (const name of readdirSync(assets)) {
  if (!/\.(js|css)$/.test(name)) continue;
  const file = join(assets, name);
  const body = readFileSync(file);
  writeFileSync(`${file}.gz`, gzipSync(body, { level: 9 }));
  writeFileSync(
    `${file}.br`,
    brotliCompressSync(body, {
      params: { [constants.BROTLI_PARAM_QUALITY]: 11, [constants.BROTLI_PARAM_SIZE_HINT]: body.length },
    }),
  );
}
