/**
 * Starts the terminal client with the user's settings (config file, then flags): keys,
 * status bar, and the defaults new sessions get.
 */
import { resolve } from "node:path";
import type { SessionInfo } from "../../protocol/session.js";
import type { ClientSocket } from "../ClientSocket.js";
import { loadConfig } from "../config.js";
import { parseDetachKey } from "../detachKey.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { noOutput } from "../kinds/registry.js";
import type { TerminalSettings } from "../terminalSettings.js";
import { reconnectGiveUpMs } from "./reconnectSettings.js";
import { reportEnd } from "./reportEnd.js";
import { type ClientStart, TerminalClient } from "./TerminalClient.js";

export interface ClientFlags {
  detachKey?: string;
  prefixKey?: string;
  statusBar?: boolean;
}

export async function startClient(start: ClientStart, flags: ClientFlags = {}): Promise<void> {
  reconnectGiveUpMs(); // a bad DISPATCH_RECONNECT_GIVE_UP_MS is reported now, not at the first drop
  const settings = loadConfig().terminal;
  const detachKey = parseDetachKey(flags.detachKey ?? settings.detachKey);
  const prefixKey = parseDetachKey(flags.prefixKey ?? settings.prefixKey);
  if ("attach" in start) await refuseUnshowable(start.attach);
  const client = new TerminalClient({
    hub: HubClient.locate(),
    settings,
    detachKey,
    prefixKey,
    statusBar: flags.statusBar ?? settings.statusBar,
    create: (socket, size) => createWithDefaults(socket, settings, size),
    relocate: () => HubClient.locate(),
  });
  reportEnd(await client.run(start));
}

/**
 * Refuses what an attach could not show, before the terminal is taken: a session of a kind
 * that writes no output (an editor: a blank screen), with what shows it instead; and, with
 * stdin not a terminal (a pipe, /dev/null, cron), any session: there are no keys to read and
 * none to detach with, so the client would stream the session until killed. Said with the
 * commands that do what was likely meant; a mistyped name is still said as such first (the
 * hub's did-you-mean).
 */
async function refuseUnshowable(name: string): Promise<void> {
  const session = await HubClient.locate().getSession(name);
  const instead = noOutput(session);
  if (instead !== undefined) throw new UsageError(`cannot attach: ${instead}`);
  if (process.stdin.isTTY) return;
  throw new UsageError(
    `attach needs a terminal and stdin is not one: \`dispatch logs ${session.name} --follow\` shows its output, \`dispatch send ${session.name} TEXT\` types into it`,
  );
}

/** A new session as `dispatch new` would make it: the config's defaults, else the shell here. */
export function createWithDefaults(
  socket: ClientSocket,
  settings: TerminalSettings,
  size: { cols: number; rows: number },
): Promise<SessionInfo> {
  const { cwd, command, host } = settings.defaults;
  return socket.create({
    cwd: resolve(cwd ?? process.cwd()),
    ...(command ? { command } : {}),
    ...(host ? { host } : {}),
    ...size,
  });
}
