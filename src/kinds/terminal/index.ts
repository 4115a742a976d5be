/**
 * `terminal`: a PTY running the user's shell or a given command (host runtime:
 * `host/runtimes/terminal.ts`). The hub keeps its screen; revived, it shows the old screen
 * above a marker and runs the same command again.
 */
import type { ReviveContext, ReviveSpec, SessionKind } from "../kind.js";

/** A terminal's revive: its old screen, then a marker line, then the new process's output. */
export async function reviveWithOldScreen({ currentScreen }: ReviveContext): Promise<ReviveSpec> {
  return { preface: `${await currentScreen()}\x1b[0m\r\n\x1b[7m --- history restored --- \x1b[0m\r\n` };
}

export const terminalKind: SessionKind = {
  name: "terminal",
  label: "terminal",
  screen: true,
  revive: reviveWithOldScreen,
};
