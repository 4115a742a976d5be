/**
 * The port the hub last started on (`hub.port` in the data directory), so a hub stopped and
 * started again, by `dispatch start` or by a command that needs it, comes back where its user
 * put it (`dispatch start --port 7800`), not on the default port. `--port` and `DISPATCH_PORT`
 * still win (`cli/hubAddress.ts`). Apart from the CLI's modules: the hub's early start
 * (`hub/earlyLocalHost.ts`) reads it before they load.
 */
import { readFileSync, renameSync, writeFileSync } from "node:fs";
import type { HomePaths } from "./home.js";

/** The remembered port (0: any free one, as chosen), or undefined when none is. */
export function rememberedPort(paths: HomePaths): number | undefined {
  let text: string;
  try {
    text = readFileSync(paths.hubPort, "utf8").trim();
  } catch {
    // No file: the hub has never been started here, so the default port.
    return undefined;
  }
  const port = Number(text);
  // A file edited by hand into something else is not a port: the default one then.
  return /^\d{1,5}$/.test(text) && port <= 65535 ? port : undefined;
}

/**
 * Keeps `port` for the next start. Best effort: the hub already runs where it was asked to,
 * and a directory that refuses the write only means the next start uses the default port.
 */
export function rememberPort(paths: HomePaths, port: number): void {
  if (rememberedPort(paths) === port) return;
  try {
    // Whole or not at all: a reader never sees half a number.
    writeFileSync(`${paths.hubPort}.tmp`, `${port}\n`, { mode: 0o600 });
    renameSync(`${paths.hubPort}.tmp`, paths.hubPort);
  } catch {
    // See above: the hub runs; only the memory of its port is lost.
  }
}
