/**
 * A path typed on the command line as the file system takes it, for the commands whose files are
 * on this machine (the hub's own, where the CLI runs): `dispatch edit`, `files`, `backup`.
 */
import { homedir } from "node:os";
import { resolve } from "node:path";
import { physicalPath } from "../platform/physicalPath.js";

/**
 * Absolute and real: `~` is the home directory (also when quoted, where the shell leaves it), a
 * relative path is from the current directory, and `..` is taken after symbolic links as `cat`
 * takes it (`link/..` is the link target's parent, where a lexical `resolve` would say the
 * current directory). A file not there yet is its directory's real path and its name.
 */
export function localPath(typed: string): string {
  const path = typed === "~" || typed.startsWith("~/") ? homedir() + typed.slice(1) : typed;
  // Its directory missing too: the command that uses it says so.
  return physicalPath(path) ?? resolve(path);
}
