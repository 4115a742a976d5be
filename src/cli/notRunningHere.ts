/**
 * What the CLI tells a person when whatever answers where it looked for the hub is not this
 * data directory's hub, as far as the CLI can tell: it refused a guessed key, or it did not
 * prove it holds the key (`platform/keyProof.ts`). The likely cause differs with where the
 * address and the key came from, and so does what to do.
 */
import type { HomePaths } from "../platform/home.js";
import { isAlive } from "../platform/processAlive.js";
import { readHubInfo } from "./hubFiles.js";

/** Where the CLI looked for the hub, and with which key. */
export interface HubWhereabouts {
  /** The hub's URL, without a trailing slash. */
  url: string;
  paths: HomePaths;
  /** The URL is the default port's (no `hub.json`) and the key is not `DISPATCH_KEY`. */
  guessed: boolean;
  /** The key is `DISPATCH_KEY`, not this directory's key file. */
  fromEnv: boolean;
}

/**
 * What a refused key or an unproven answer means: no hub of this directory runs where the
 * CLI looked, whatever answers there (another directory's hub, or anything else).
 */
export function notRunningHere(where: HubWhereabouts): string {
  const { url, paths } = where;
  if (where.guessed) {
    return (
      `the hub is not running (no hub.json in ${paths.home}) — start it with \`dispatch start\`; ` +
      `what answers at ${url} is another data directory's hub or another program`
    );
  }
  if (where.fromEnv) {
    // A hub that does not know the token cannot prove it either: a revoked token looks the same.
    return (
      `what answers at ${url} did not prove it knows DISPATCH_KEY: either DISPATCH_KEY is not a live ` +
      `access key, personal token or share link of the hub there (revoked, expired, or another hub's: ` +
      `ask its owner for a new one), or no dispatch hub of yours answers there (check \`dispatch status\`); ` +
      `through a tunnel, use the hub's own port number: a proof holds only for the port it is sent to`
    );
  }
  const info = readHubInfo(paths);
  if (info && isAlive(info.pid)) {
    // The hub this directory started still runs: most likely one from before an upgrade, which
    // cannot prove it holds the key (a stranger on its port would need it to have died).
    return (
      `the hub at ${url} (pid ${info.pid}, started from ${paths.home}) did not prove it holds ` +
      `this directory's access key: if dispatch was upgraded since it started, restart it with ` +
      `\`dispatch stop\` and \`dispatch start\` (sessions keep running)`
    );
  }
  return (
    `the hub is not running: hub.json in ${paths.home} names ${url}, but what answers there ` +
    `cannot prove it holds this directory's access key (another program, or another directory's hub) — ` +
    `start this one's with \`dispatch start\``
  );
}
