/**
 * Where an editor may open files on this host: the allowed roots (`DISPATCH_EDITOR_ROOTS`,
 * `:`-separated, default the host user's home directory), and the check that keeps a path
 * inside them: no `..`, no absolute path outside, no symlink that leads out (real paths are
 * compared, so a link inside a root pointing elsewhere is refused).
 */
import { realpathSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import { DispatchError } from "../../../core/errors.js";
import type { FileLimit } from "./fileContent.js";
import { MAX_REPLY_TEXT_BYTES } from "./replyLimit.js";

/**
 * Read when the module loads: the host's entry point scrubs every `DISPATCH_*` variable from
 * its environment right after its imports, so sessions never inherit them.
 */
const SETTINGS = {
  roots: process.env.DISPATCH_EDITOR_ROOTS,
  maxBytes: Number(process.env.DISPATCH_EDITOR_MAX_BYTES) || undefined,
};

/**
 * The largest file this host's editors open: `DISPATCH_EDITOR_MAX_BYTES`, and at most (also by
 * default) what one answer carries as text (`replyLimit.ts`, 7.9 MiB): no setting makes a file
 * that could not be read whole openable.
 */
export function editorFileLimit(): FileLimit {
  const set = SETTINGS.maxBytes ?? MAX_REPLY_TEXT_BYTES;
  return set < MAX_REPLY_TEXT_BYTES
    ? { bytes: set, why: "(DISPATCH_EDITOR_MAX_BYTES)" }
    : {
        bytes: MAX_REPLY_TEXT_BYTES,
        why: "so that its whole text fits in one answer from the host (`dispatch cat`, scripts' /text); edit larger files with another tool",
      };
}

export function editorRoots(rootsSetting: string | undefined = SETTINGS.roots): string[] {
  const listed = (rootsSetting ?? "").split(":").filter((root) => root.length > 0);
  const roots = listed.length > 0 ? listed : [homedir()];
  return roots.map((root) => {
    try {
      return realpathSync(resolve(root));
    } catch {
      // A root that does not exist holds no file; kept so errors can still name it.
      return resolve(root);
    }
  });
}

export interface ResolvedPath {
  /** The file's real path (inside a root). */
  path: string;
  exists: boolean;
}

/** Whether `path` is `root` or below it (both absolute). */
export function inside(path: string, root: string): boolean {
  const rel = relative(root, path);
  return rel === "" || (!rel.startsWith(`..${sep}`) && rel !== ".." && !isAbsolute(rel));
}

function refuse(message: string): never {
  throw new DispatchError("forbidden", message);
}

/**
 * The real path of `requested` if it is inside `roots` (a relative path is taken from the
 * first root). Throws `forbidden` for an escape, `not_found` for a missing parent directory.
 * `want` is what it must be: a file (which may not exist yet) or an existing directory.
 */
export function resolveInRoots(
  requested: string,
  roots: readonly string[],
  want: "file" | "directory" = "file",
): ResolvedPath {
  const rootList = roots.join(", ");
  if (requested.split(/[\\/]+/).includes("..")) {
    refuse(`'${requested}': paths may not contain '..' (allowed roots: ${rootList})`);
  }
  const absolute = isAbsolute(requested) ? resolve(requested) : resolve(roots[0] ?? "/", requested);
  if (!roots.some((root) => inside(absolute, root))) {
    // Say the setting that would allow it, with the roots kept: a person copies it as it is.
    const wanted = want === "directory" ? absolute : dirname(absolute);
    const setting = `DISPATCH_EDITOR_ROOTS=${[...roots, wanted].join(":")}`;
    refuse(
      `'${requested}' is outside the editor's allowed roots (${rootList}); to allow it, start the host ` +
        `with ${setting} (the local host takes the hub's environment: \`dispatch stop --all\`, which ` +
        `ends its sessions, then \`${setting} dispatch start\`)`,
    );
  }
  let real: string;
  let exists = true;
  try {
    real = realpathSync(absolute);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== "ENOENT") throw fileError(err, requested);
    exists = false;
    let parent: string;
    try {
      parent = realpathSync(dirname(absolute));
    } catch {
      throw new DispatchError(
        "not_found",
        `'${requested}': its directory ${dirname(absolute)} does not exist`,
      );
    }
    real = resolve(parent, absolute.slice(dirname(absolute).length + 1));
  }
  if (!roots.some((root) => inside(real, root))) {
    refuse(`'${requested}' leads outside the allowed roots through a symbolic link (to ${real})`);
  }
  if (want === "directory") {
    if (!exists) throw new DispatchError("not_found", `no directory '${requested}'`);
    if (!statSync(real).isDirectory())
      throw new DispatchError("bad_request", `'${requested}' is a file, not a directory`);
  } else if (exists && statSync(real).isDirectory()) {
    throw new DispatchError("bad_request", `'${requested}' is a directory; give a file`);
  }
  return { path: real, exists };
}

/** A file system error as a message a person can act on. */
export function fileError(err: unknown, path: string): DispatchError {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === "EACCES" || code === "EPERM")
    return new DispatchError("forbidden", `permission denied: ${path}`);
  if (code === "ENOENT") return new DispatchError("not_found", `no file ${path}`);
  if (code === "EISDIR") return new DispatchError("bad_request", `${path} is a directory; give a file`);
  return new DispatchError("internal", `${path}: ${err instanceof Error ? err.message : String(err)}`);
}
