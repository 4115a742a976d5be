/**
 * `dispatch attach NAME`: this terminal becomes the session's terminal (raw passthrough,
 * resize on SIGWINCH), under the status bar, with the prefix key (Ctrl-]) to switch sessions
 * and the detach key (Ctrl-\). See `attached/TerminalClient.ts`; the terminal is restored on
 * every way out.
 */
import type { Command } from "commander";
import { startClient } from "../attached/startClient.js";

export function registerAttach(program: Command): void {
  program
    .command("attach")
    .description("attach this terminal to a session (detach with Ctrl-\\, switch with Ctrl-] then ] [ s)")
    .argument("<name>", "session name")
    .option("--detach-key <key>", "key that detaches: ctrl-\\ (default), ctrl-a..., or none")
    .option("--prefix-key <key>", "key before a switching command: ctrl-] (default), or none")
    .option("--status-bar", "show the status bar on the bottom row (default: config ui.status_bar, on)")
    .option("--no-status-bar", "no status bar: the session gets every row")
    .action((name: string, options: { detachKey?: string; prefixKey?: string; statusBar?: boolean }) =>
      startClient({ attach: name }, options),
    );
}
