/**
 * `dispatch new [--name N] [--cwd DIR] [-- CMD ARGS...]`: prints the new session's name, nothing else.
 * `dispatch new --agent PROFILE [--worktree] [--branch B] [-- EXTRA ARGS]`: an agent session.
 * `--sandbox` runs a terminal contained (bubblewrap; agents are, unless `--no-sandbox`).
 */
import { resolve } from "node:path";
import type { Command } from "commander";
import { describeInvalidName, isValidName } from "../../core/names.js";
import { MAX_COLS, MAX_ROWS, MIN_COLS, MIN_ROWS } from "../../protocol/session.js";
import { loadConfig } from "../config.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { readHostContext } from "../hostContext.js";
import { createAgentSession } from "../kinds/agent.js";
import { createWorkspace } from "../kinds/workspace.js";

export function registerNew(program: Command): void {
  program
    .command("new")
    .description("create a terminal session running your shell, or CMD after --; prints its name")
    .option("--name <name>", "session name (default: a generated one such as brisk-otter)")
    .option("--cwd <dir>", "working directory (default: the current one)")
    .option("--host <name>", "host to run on (default: the current one, see `dispatch use`)")
    .option("--agent <profile>", "run an AI coding agent from a config profile (claude, codex, ...)")
    .option("--worktree", "with --agent: give the agent its own git worktree of this repository")
    .option("--branch <branch>", "with --worktree: the new branch (default: dispatch/NAME)")
    .option("--sandbox", "run contained: the dispatch data directory is hidden (agents: the default)")
    .option("--no-sandbox", "with --agent: run the agent uncontained, with everything your user can reach")
    .option(
      "--kernel <kernelspec>",
      "start a workspace on a Jupyter kernel (python3, xpython; see `dispatch kernels`)",
    )
    .argument("[command...]", "command and arguments, after -- (with --agent: extra agent arguments)")
    .action(create);
}

interface NewOptions {
  name?: string;
  host?: string;
  cwd?: string;
  agent?: string;
  worktree?: boolean;
  branch?: string;
  kernel?: string;
  /** undefined: the kind's default (agents sandboxed, terminals not). */
  sandbox?: boolean;
}

async function create(command: string[], options: NewOptions): Promise<void> {
  if (options.name !== undefined && !isValidName(options.name))
    throw new UsageError(describeInvalidName(options.name));
  const size = terminalSize();
  if (options.agent !== undefined) {
    const session = await createAgentSession({
      profile: options.agent,
      name: options.name,
      host: options.host ?? readHostContext(HubClient.locate().paths),
      cwd: resolve(options.cwd ?? process.cwd()),
      worktree: options.worktree === true,
      branch: options.branch,
      ...(options.sandbox !== undefined ? { sandbox: options.sandbox } : {}),
      extraArgs: command,
      size,
    });
    console.log(session.name);
    return;
  }
  if (options.kernel !== undefined) {
    if (options.sandbox !== undefined) throw new UsageError("--sandbox goes with terminals and --agent");
    if (command.length > 0)
      throw new UsageError("--kernel runs the kernelspec's own command; give no command");
    const client = HubClient.locate();
    const host = options.host ?? readHostContext(client.paths);
    const session = await createWorkspace(client, {
      kernel: options.kernel,
      ...(options.name !== undefined ? { name: options.name } : {}),
      ...(host !== undefined ? { host } : {}),
      cwd: resolve(options.cwd ?? process.cwd()),
    });
    console.log(session.name);
    return;
  }
  if (options.worktree || options.branch) throw new UsageError("--worktree and --branch go with --agent");
  const client = HubClient.locate();
  // Flags first, then the host context (`dispatch use NAME`), then the config's [defaults].
  const defaults = loadConfig().terminal.defaults;
  const host = options.host ?? readHostContext(client.paths) ?? defaults.host;
  const argv = command.length > 0 ? command : defaults.command;
  const session = await client.createSession({
    ...(options.name !== undefined ? { name: options.name } : {}),
    ...(host !== undefined ? { host } : {}),
    ...(argv !== undefined ? { command: argv } : {}),
    ...(options.sandbox === true ? { options: { sandbox: true } } : {}),
    cwd: resolve(options.cwd ?? defaults.cwd ?? process.cwd()),
    ...size,
  });
  console.log(session.name);
}

/** This terminal's size, clamped to what the hub accepts; none when stdout is not a terminal. */
export function terminalSize(): { cols?: number; rows?: number } {
  const { columns, rows } = process.stdout;
  if (!process.stdout.isTTY || !columns || !rows) return {};
  return {
    cols: Math.min(MAX_COLS, Math.max(MIN_COLS, columns)),
    rows: Math.min(MAX_ROWS, Math.max(MIN_ROWS, rows)),
  };
}
