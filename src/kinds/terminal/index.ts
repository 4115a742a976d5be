/**
 * `terminal`: a PTY running the user's shell or a given command (host runtime:
 * `host/runtimes/terminal.ts`). The hub keeps its screen; revived, it shows the old screen
 * above a marker and runs the same command again. On request (`options.sandbox`) it runs
 * contained: the host wraps the command in bubblewrap (`host/runtimes/sandbox.ts`).
 */
import { z } from "zod";
import { parseOrBadRequest } from "../../protocol/parse.js";
import type { SessionRecord } from "../../protocol/session.js";
import type { ReviveContext, ReviveSpec, SessionKind } from "../kind.js";

export const TerminalOptions = z.object({ sandbox: z.boolean().optional() }).strict();

/** Whether the session runs in a sandbox (kept in `meta.sandbox`, so a revive keeps it too). */
export function isSandboxed(record: SessionRecord): boolean {
  return record.meta.sandbox === true;
}

/** What the host runtime gets, and the record keeps, for a session sandboxed or not. */
export function sandboxParts(sandbox: boolean): {
  meta: Record<string, unknown>;
  spawn: Record<string, unknown>;
} {
  return sandbox ? { meta: { sandbox: true }, spawn: { sandbox: true } } : { meta: {}, spawn: {} };
}

/** A terminal's revive: its old screen, then a marker line, then the new process's output. */
export async function reviveWithOldScreen({ record, currentScreen }: ReviveContext): Promise<ReviveSpec> {
  return {
    preface: `${await currentScreen()}\x1b[0m\r\n\x1b[7m --- history restored --- \x1b[0m\r\n`,
    ...(isSandboxed(record) ? { options: { sandbox: true } } : {}),
  };
}

export const terminalKind: SessionKind = {
  name: "terminal",
  label: "terminal",
  screen: true,
  prepare({ options }) {
    const parsed = parseOrBadRequest(TerminalOptions, options ?? {}, "invalid terminal options");
    return sandboxParts(parsed.sandbox === true);
  },
  describe(record) {
    return isSandboxed(record) ? { options: { sandbox: true } } : {};
  },
  revive: reviveWithOldScreen,
};
