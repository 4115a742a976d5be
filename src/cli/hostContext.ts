/**
 * The CLI's current host context (`dispatch use NAME`): new sessions go there unless `--host`
 * says otherwise; its current project (`dispatch use --project P`, or the last `dispatch
 * up`): `dispatch ps` shows it and the picker lists it first; and its current image (`dispatch
 * use IMAGE`, a workspace session): `eval`, `inspect` and `transcript` use it when no name is
 * given. Kept per client, in `context.json` in the CLI's DISPATCH_HOME.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { z } from "zod";
import type { HomePaths } from "../platform/home.js";
import { HUB_HOST_ID } from "../protocol/hosts.js";

const Context = z.object({
  host: z.string().min(1).max(64).optional(),
  project: z.string().min(1).max(64).optional(),
  image: z.string().min(1).max(64).optional(),
});
type Context = z.infer<typeof Context>;

function contextFile(paths: HomePaths): string {
  return join(paths.home, "context.json");
}

/** The current host, or undefined for the default (`local`). */
export function readHostContext(paths: HomePaths): string | undefined {
  const { host } = readContext(paths);
  return host !== HUB_HOST_ID ? host : undefined;
}

export function writeHostContext(paths: HomePaths, host: string): void {
  writeContext(paths, { ...readContext(paths), host: host === HUB_HOST_ID ? undefined : host });
}

/** The current project, if one was chosen. */
export function readProjectContext(paths: HomePaths): string | undefined {
  return readContext(paths).project;
}

/** Sets the current project; undefined clears it. */
export function writeProjectContext(paths: HomePaths, project: string | undefined): void {
  writeContext(paths, { ...readContext(paths), project });
}

/** The current image (a workspace session's name), if one was chosen. */
export function readImageContext(paths: HomePaths): string | undefined {
  return readContext(paths).image;
}

/** Sets the current image; undefined clears it. */
export function writeImageContext(paths: HomePaths, image: string | undefined): void {
  writeContext(paths, { ...readContext(paths), image });
}

function readContext(paths: HomePaths): Context {
  try {
    const parsed = Context.safeParse(JSON.parse(readFileSync(contextFile(paths), "utf8")));
    return parsed.success ? parsed.data : {};
  } catch {
    // No context file (or a broken one): the defaults.
    return {};
  }
}

function writeContext(paths: HomePaths, context: Context): void {
  const kept = Object.fromEntries(Object.entries(context).filter(([, value]) => value !== undefined));
  if (Object.keys(kept).length === 0) {
    rmSync(contextFile(paths), { force: true });
    return;
  }
  writeFileSync(contextFile(paths), `${JSON.stringify(kept)}\n`, { mode: 0o600 });
}
