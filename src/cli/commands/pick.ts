/**
 * `dispatch` with no arguments: the session picker on a terminal; the `dispatch ls` table
 * otherwise (a pipe, a script). The very first run shows a one-line welcome in the picker.
 */

import { startClient } from "../attached/startClient.js";
import { HubClient } from "../HubClient.js";
import { formatSessionTable } from "../sessionTable.js";
import { firstRunHint } from "../tutorial.js";

export async function pick(): Promise<void> {
  const interactive = process.stdin.isTTY === true && process.stdout.isTTY === true;
  if (!interactive) {
    const sessions = await HubClient.locate().listSessions();
    if (sessions.length === 0) console.error("no sessions — create one with `dispatch new`");
    else console.log(formatSessionTable(sessions));
    return;
  }
  const hint = firstRunHint();
  await startClient({ picker: true, ...(hint ? { hint } : {}) });
}
