// Builds the browser UI into web/dist when the web app exists; the hub serves that folder.

import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("web/vite.config.ts") && !existsSync("web/vite.config.js")) {
  console.log("web UI not present; skipping");
  process.exit(0);
}
const result = spawnSync(
  process.execPath,
  ["node_modules/vite/bin/vite.js", "build", "--config", "web/vite.config.ts", "--logLevel", "warn"],
  { stdio: "inherit" },
);
process.exit(result.status ?? 1);
