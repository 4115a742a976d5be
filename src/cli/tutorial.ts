/**
 * The one-line welcome the first interactive `dispatch` shows at the bottom of the picker (then
 * never again: a marker file in DISPATCH_HOME remembers it).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataHome, ensureHome } from "../platform/home.js";

/** `dispatch help start`: the three commands to begin with. */
export const TUTORIAL = `Welcome to dispatch: terminal sessions that keep running when you leave.

  dispatch new --name work      start a session (your shell) on the hub
  dispatch attach work          use it here; Ctrl-] then ? lists the keys, Ctrl-\\ detaches
  dispatch                      pick a session: type to filter, Enter attaches

The hub starts with \`dispatch start\`. More: \`dispatch help\`, \`dispatch help TOPIC\`.`;

export const FIRST_RUN_HINT =
  "Welcome! n starts a session, Enter attaches; attached, Ctrl-] ? lists the keys, Ctrl-\\ detaches";

/** The welcome line if it has never been shown for this DISPATCH_HOME (and remembers it was). */
export function firstRunHint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const home = dataHome(env);
  const marker = join(home, "tutorial-shown");
  if (existsSync(marker)) return undefined;
  try {
    ensureHome(home);
    writeFileSync(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
  } catch {
    // A read-only home: the hint shows again next time, which is harmless.
  }
  return FIRST_RUN_HINT;
}
