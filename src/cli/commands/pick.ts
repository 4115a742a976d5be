/**
 * `dispatch` with no arguments: the session picker on a terminal; the `dispatch ls` table
 * otherwise (a pipe, a script). The very first run shows a one-line welcome in the picker.
 */

import { startClient } from "../attached/startClient.js";
import { firstRunHint } from "../tutorial.js";
import { list } from "./ls.js";

export async function pick(): Promise<void> {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  // The very table `dispatch ls` prints: BYTES is what each log holds now (`?`, said on stderr,
  // while the hub cannot read its store), not all the session ever produced.
  if (!interactive) return list({});
  const hint = firstRunHint();
  await startClient({ picker: true, ...(hint ? { hint } : {}) });
}
