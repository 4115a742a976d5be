/**
 * The path the file system reaches for a file, shared by the CLI's typed paths and the hub's
 * backup targets: `..` taken after symbolic links, as the kernel does (a lexical `/a/link/..`
 * is not `/a`), the file itself followed when it exists.
 */
import { realpathSync } from "node:fs";
import { basename, dirname, join } from "node:path";

/** The real path of `file`, or of its directory joined to its name; undefined when neither is there. */
export function physicalPath(file: string): string | undefined {
  try {
    return realpathSync.native(file);
  } catch {
    try {
      return join(realpathSync.native(dirname(file)), basename(file));
    } catch {
      return undefined;
    }
  }
}
