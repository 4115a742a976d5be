/**
 * The three-command tutorial the first interactive `dispatch` prints (then never again: a
 * marker file in DISPATCH_HOME remembers it).
 */
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { dataHome, ensureHome } from "../platform/home.js";

export const TUTORIAL = `Welcome to dispatch: terminal sessions that keep running when you leave.

  dispatch new --name work      start a session (your shell) on the hub
  dispatch attach work          use it here; Ctrl-] then ? lists the keys, Ctrl-\\ detaches
  dispatch                      pick a session: type to filter, Enter attaches

The hub starts with \`dispatch start\`. More: \`dispatch help\`, \`dispatch help TOPIC\`.
Run \`dispatch\` again to open the session picker.`;

/** Prints the tutorial if it has never been shown for this DISPATCH_HOME; true when it did. */
export function showTutorialOnce(env: NodeJS.ProcessEnv = process.env): boolean {
  const home = dataHome(env);
  const marker = join(home, "tutorial-shown");
  if (existsSync(marker)) return false;
  console.error(TUTORIAL);
  try {
    ensureHome(home);
    writeFileSync(marker, `${new Date().toISOString()}\n`, { mode: 0o600 });
  } catch {
    // A read-only home: the tutorial shows again next time, which is harmless.
  }
  return true;
}
