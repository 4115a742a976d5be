/**
 * The editor kind's CLI verbs:
 *   dispatch edit PATH [--host H] [--name N] [--create] [--autosave MS]   open or join; prints its name
 *   dispatch edit PATH --in SESSION                                       a file of a session's directory
 *   dispatch edit NAME|PATH --at SEQ                                      the text at a seq (read-only)
 *   dispatch edit NAME|PATH --history                                     who changed what, one change a line
 *   dispatch cat NAME                                                     the current text
 *   dispatch save NAME                                                    write it to the file
 *   dispatch files [DIR] [--host H]                                       a directory of the allowed roots
 * Edit it live in the web UI; scripts use `dispatch cmd NAME edits '{"edits":[...]}'` or REST.
 */
import { existsSync, statSync } from "node:fs";
import { dirname, posix } from "node:path";
import type { Command } from "commander";
import { DispatchError } from "../../core/errors.js";
import { isLiveStatus } from "../../core/liveness.js";
import { DirectoryListing, History, type TextChange } from "../../kinds/editor/events.js";
import { editorKind } from "../../kinds/editor/index.js";
import { HUB_HOST_ID } from "../../protocol/hosts.js";
import type { SessionInfo } from "../../protocol/session.js";
import { UsageError } from "../exitCodes.js";
import { HubClient } from "../HubClient.js";
import { readHostContext } from "../hostContext.js";
import { localPath } from "../localPath.js";
import type { CliKind } from "./cliKind.js";

/** The hub kind's name, the one place the CLI learns it. */
const EDITOR = editorKind.name;

export const editorCli: CliKind = {
  kind: EDITOR,
  register: registerEditor,
  unsaved: unsavedEdits,
  noOutput: (session) =>
    `'${session.name}' is a file editor: it writes no output; \`dispatch cat ${session.name}\` prints its text, \`dispatch edit ${session.name} --history\` its changes, and the web UI edits it`,
};

/** An editor whose buffer differs from its file (`dirty`, or a `conflict` not yet resolved). */
function unsavedEdits(session: SessionInfo): string | undefined {
  const status = session.options?.status;
  if (status !== "dirty" && status !== "conflict") return undefined;
  const path = String(session.options?.path ?? "its file");
  const save =
    status === "conflict"
      ? `resolve its conflict (\`dispatch cmd ${session.name} resolve '{"take":"buffer"}'\`), then \`dispatch save ${session.name}\``
      : `\`dispatch save ${session.name}\``;
  return `'${session.name}' has unsaved edits to ${path}${status === "conflict" ? " (in conflict with the file)" : ""}: save them with ${save}, or discard them by removing it (\`dispatch kill ${session.name}\`, twice)`;
}

interface EditFlags {
  host?: string;
  in?: string;
  name?: string;
  at?: string;
  history?: boolean;
  create?: boolean;
  autosave?: string;
}

function registerEditor(program: Command): void {
  program
    .command("edit")
    .description("open a file in an editor session (or join the one open on it); prints its name")
    .argument(
      "<path>",
      "the file (on the local host: from here, with ~, .. and symbolic links as the shell takes them; on others: from the first allowed root); with --at, a session name too",
    )
    .option("--host <name>", "host the file is on (default: the current one, see `dispatch use`)")
    .option("--in <session>", "a file of that session's working directory, on its host (an agent's worktree)")
    .option("--name <name>", "name of the new session")
    .option("--create", "create the file when it does not exist")
    .option("--autosave <ms>", "save by itself this long after the last edit")
    .option("--at <seq>", "print the text as it was at SEQ (read-only)")
    .option("--history", "print who changed what, one change a line (its seq, time, who, and the edit)")
    .action(edit);
  program
    .command("files")
    .description(
      "list a directory of a host's allowed roots, as the editor sees it (what it would refuse, and why)",
    )
    .argument("[dir]", "the directory (default: the first allowed root)")
    .option("--host <name>", "host to look on (default: the current one, see `dispatch use`)")
    .action(files);
  program
    .command("cat")
    .description("print the current text of an editor session")
    .argument("<name>", "editor session name")
    .action(async (name: string) => {
      const result = (await HubClient.locate().command(name, "text")) as { text: string };
      process.stdout.write(result.text);
    });
  program
    .command("save")
    .description("save an editor session's text to its file (refused while in conflict)")
    .argument("<name>", "editor session name")
    .action(async (name: string) => {
      const client = HubClient.locate();
      const result = (await client.command(name, "save")) as { bytes: number };
      const session = await client.getSession(name);
      console.log(`saved ${String(session.options?.path ?? name)} (${result.bytes} bytes)`);
    });
}

/** `dispatch files`: what the web's file browser shows, one entry a line. */
async function files(dir: string | undefined, flags: { host?: string }): Promise<void> {
  const client = HubClient.locate();
  const host = flags.host ?? readHostContext(client.paths) ?? HUB_HOST_ID;
  const query = new URLSearchParams({
    host,
    ...(dir ? { path: host === HUB_HOST_ID ? localPath(dir) : dir } : {}),
  });
  const listing = DirectoryListing.parse(await client.call("GET", `/api/files?${query}`));
  console.log(listing.path);
  for (const entry of listing.entries) {
    const name = entry.type === "directory" ? `${entry.name}/` : entry.name;
    const note = entry.refused
      ? `  (refused: ${entry.refused})`
      : entry.size !== undefined
        ? `  ${entry.size}`
        : "";
    console.log(`  ${name}${note}`);
  }
  if (listing.truncated) console.log(`  ... (only the first ${listing.entries.length} entries)`);
}

async function edit(target: string, flags: EditFlags): Promise<void> {
  const client = HubClient.locate();
  let host = flags.host ?? readHostContext(client.paths) ?? HUB_HOST_ID;
  let path = host === HUB_HOST_ID ? localPath(target) : target;
  if (flags.in !== undefined) {
    // The file is the session's (an agent's worktree): its host, relative to its directory.
    const owner = await client.getSession(flags.in);
    if (flags.host !== undefined && flags.host !== owner.host)
      throw new UsageError(`--in ${owner.name} is on host '${owner.host}', not '${flags.host}'`);
    host = owner.host;
    const joined = posix.isAbsolute(target) ? target : posix.join(owner.cwd, target);
    path = host === HUB_HOST_ID ? localPath(joined) : joined;
  }
  const sessions = await client.listSessions();
  const open = sessions.find(
    (s) => s.kind === EDITOR && s.host === host && s.options?.path === path && isLiveStatus(s.status),
  );
  if (flags.at !== undefined || flags.history) {
    const session =
      sessions.find((s) => s.kind === EDITOR && s.name === target) ??
      open ??
      sessions.find((s) => s.kind === EDITOR && s.options?.path === path);
    if (!session) throw new UsageError(`no editor session named '${target}' or open on ${path}`);
    if (flags.history) {
      const { changes } = History.parse(await client.command(session.name, "history"));
      for (const change of changes) console.log(describeChange(change));
      return;
    }
    const seq = Number(flags.at);
    if (!Number.isInteger(seq) || seq < 0)
      throw new UsageError(`--at takes a seq (0, 1, 2...), not '${flags.at}'`);
    const result = (await client.command(session.name, "at", { seq })) as { text: string };
    process.stdout.write(result.text);
    return;
  }
  if (open) {
    console.log(open.name);
    return;
  }
  const autosaveMs = flags.autosave === undefined ? 0 : Number(flags.autosave);
  if (!Number.isInteger(autosaveMs) || autosaveMs < 0)
    throw new UsageError(`--autosave takes milliseconds, not '${flags.autosave}'`);
  try {
    const session: SessionInfo = await client.createSession({
      kind: EDITOR,
      ...(flags.name !== undefined ? { name: flags.name } : {}),
      ...(host !== HUB_HOST_ID ? { host } : {}),
      options: { path, create: flags.create === true, autosaveMs },
    });
    console.log(session.name);
  } catch (err) {
    // The host's rules come first (its allowed roots, binary, size); a path it could not open
    // on this machine is said again with what was typed and what to do.
    const refused = err instanceof DispatchError && (err.code === "not_found" || err.code === "bad_request");
    const problem =
      refused && host === HUB_HOST_ID ? localPathProblem(target, path, flags.create === true) : undefined;
    if (problem !== undefined) throw new DispatchError(problem.code, problem.message);
    throw err;
  }
}

/**
 * Why the host could not open a local path, said with what was typed and what to do (the
 * host's own words name neither), or undefined when the reason is another.
 */
function localPathProblem(
  target: string,
  path: string,
  create: boolean,
): { code: "not_found" | "bad_request"; message: string } | undefined {
  const asked = target === path ? "" : ` (for '${target}')`;
  let isDirectory: boolean;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    if (!existsSync(dirname(path))) {
      const message = `the directory ${dirname(path)} does not exist${asked}; check the path, or create the directory first`;
      return { code: "not_found", message };
    }
    if (create) return undefined;
    const message = `no file ${path}${asked}; check the path, or pass --create to start a new file`;
    return { code: "not_found", message };
  }
  if (isDirectory) {
    const message = `${path} is a directory; name a file in it (\`dispatch files ${path}\` lists what the editor can open there)`;
    return { code: "bad_request", message };
  }
  return undefined;
}

/** One change as a line: `seq 12  2026-12-01 04:45:01  script  replaced 0-5 with "goodbye"`. */
function describeChange(change: TextChange): string {
  const when = new Date(change.ts).toISOString().replace("T", " ").slice(0, 19);
  const what = change.pieces.map((piece) => {
    const shown = `${JSON.stringify(piece.insert)}${piece.more ? ` (and ${piece.more} more characters)` : ""}`;
    if (piece.from === piece.to) return `inserted ${shown} at ${piece.from}`;
    if (piece.insert === "" && !piece.more) return `deleted ${piece.from}-${piece.to}`;
    return `replaced ${piece.from}-${piece.to} with ${shown}`;
  });
  if (change.morePieces) what.push(`and ${change.morePieces} more edits`);
  return `seq ${change.seq}  ${when}  ${change.client}  ${what.length > 0 ? what.join("; ") : "no change to the text"}`;
}
