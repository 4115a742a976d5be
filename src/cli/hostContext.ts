/**
 * The CLI's current host context (`dispatch use NAME`): new sessions go there unless `--host`
 * says otherwise. Kept per client, in `context.json` in the CLI's DISPATCH_HOME.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { HomePaths } from "../platform/home.js";

const Context = z.object({ host: z.string().min(1).max(64) });

function contextFile(paths: HomePaths): string {
  return join(paths.home, "context.json");
}

/** The current host, or undefined for the default (`local`). */
export function readHostContext(paths: HomePaths): string | undefined {
  try {
    const parsed = Context.safeParse(JSON.parse(readFileSync(contextFile(paths), "utf8")));
    return parsed.success && parsed.data.host !== "local" ? parsed.data.host : undefined;
  } catch {
    // No context file (or a broken one): the default host.
    return undefined;
  }
}

export function writeHostContext(paths: HomePaths, host: string): void {
  if (host === "local") {
    rmSync(contextFile(paths), { force: true });
    return;
  }
  writeFileSync(contextFile(paths), `${JSON.stringify({ host })}\n`, { mode: 0o600 });
}
