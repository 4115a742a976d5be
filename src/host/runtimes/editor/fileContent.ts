/**
 * Reading and writing an edited file: text only (no NUL byte, valid UTF-8), under the size
 * limit, and saved atomically (a temporary file beside it, then rename) with its mode, owner
 * and byte order mark kept, so a reader never sees half a file and a crash never leaves one.
 * A read-only file is not written over, and a write the disk could not take whole (full, over
 * a quota) fails before the rename, leaving the file as it was.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  accessSync,
  chownSync,
  closeSync,
  constants,
  fsyncSync,
  openSync,
  readFileSync,
  realpathSync,
  renameSync,
  type Stats,
  statSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { basename, dirname, join } from "node:path";
import { mib } from "../../../core/byteSize.js";
import { DispatchError } from "../../../core/errors.js";
import { fileError } from "./allowedRoots.js";

export function hashText(bytes: Uint8Array | string): string {
  return createHash("sha256").update(bytes).digest("hex");
}

export interface DiskText {
  /** The text, without a byte order mark. */
  text: string;
  /** The hash of the file's bytes (with its byte order mark, if any). */
  hash: string;
  /** Whether the file starts with a UTF-8 byte order mark (a save writes it back). */
  bom: boolean;
}

/** The UTF-8 byte order mark, which Windows tools put at the start of text files. */
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

// Strips a leading BOM from the text (`bom` in `DiskText` says it was there).
const decoder = new TextDecoder("utf-8", { fatal: true });

/** The largest file to read, and what sets it (for the message refusing a larger one). */
export interface FileLimit {
  bytes: number;
  why: string;
}

/**
 * The file's text, or undefined if it does not exist; throws for binary files, for a link put
 * in place of the file or of a directory above it (`path` is a real path, checked against the
 * allowed roots when the editor opened it) and, given a `limit`, for files over it.
 */
export function readText(path: string, limit?: FileLimit): DiskText | undefined {
  let stat: Stats;
  let real: string;
  try {
    stat = statSync(path);
    real = realpathSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(err, path);
  }
  // Followed, it could lead out of the roots: its target's text would be loaded into the log.
  if (real !== path) {
    throw new DispatchError(
      "bad_request",
      `${path} is now a symbolic link, or below one, to ${real}; the editor does not follow a link put in place of the file it opened`,
    );
  }
  // `git checkout` of a branch where the name is a directory: "EISDIR" alone left the person
  // guessing why the save failed and what would let it through.
  if (stat.isDirectory()) throw directoryNow(path);
  const size = stat.size;
  if (limit && size > limit.bytes) {
    throw new DispatchError(
      "too_large",
      `${path} is ${mib(size)}; the editor opens files up to ${mib(limit.bytes)} ${limit.why}`,
    );
  }
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(err, path);
  }
  if (bytes.includes(0)) throw binary(path);
  try {
    return { text: decoder.decode(bytes), hash: hashText(bytes), bom: startsWithBom(bytes) };
  } catch {
    throw notUtf8(path);
  }
}

/**
 * Writes `text` to `path` atomically (with a byte order mark first if `bom`), keeping the
 * existing file's mode and owner; its hash. Refuses a read-only file: the rename would replace
 * it whatever its mode, so the mode is checked here, as other editors do.
 */
export function writeTextAtomic(path: string, text: string, bom = false): string {
  const bytes = bom ? Buffer.concat([BOM, Buffer.from(text, "utf8")]) : Buffer.from(text, "utf8");
  let mode = 0o644;
  let owner: { uid: number; gid: number } | undefined;
  let directory = false;
  try {
    const stat = statSync(path);
    mode = stat.mode & 0o7777;
    owner = { uid: stat.uid, gid: stat.gid };
    directory = stat.isDirectory();
  } catch {
    // A new (or deleted) file gets the default mode and this user as owner.
  }
  if (directory) {
    throw new DispatchError(
      "conflict",
      `${path} was not saved: ${directoryNow(path).message}; the edits are kept in the editor`,
    );
  }
  // A directory above the file replaced by a link would take the save elsewhere, perhaps out
  // of the roots (a link in place of the file itself is replaced by the rename, not followed).
  const parent = dirname(path);
  const realDirectory = realDirectoryOf(parent);
  if (realDirectory !== parent) {
    throw new DispatchError(
      "forbidden",
      `${path} was not saved: its directory is now a symbolic link, or below one, to ${realDirectory}; the edits are kept in the editor`,
    );
  }
  if (owner && !writable(path, mode)) {
    throw new DispatchError(
      "forbidden",
      `${path} is read-only (mode ${mode.toString(8).padStart(4, "0")}), so it was not saved; the edits are kept in the editor: make the file writable (chmod u+w) and save again`,
    );
  }
  const temp = join(dirname(path), `.${basename(path)}.dispatch-${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeAll(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    if (owner && (owner.uid !== process.getuid?.() || owner.gid !== process.getgid?.())) {
      try {
        chownSync(temp, owner.uid, owner.gid);
      } catch {
        // Only root may give a file away; the file then belongs to whoever saved it.
      }
    }
    renameSync(temp, path);
  } catch (err) {
    try {
      unlinkSync(temp);
    } catch {
      // Already gone (renamed or never created).
    }
    throw saveError(err, path);
  }
  return hashText(bytes);
}

/**
 * Writes every byte or throws: `writeSync` writes what the disk takes and says how much, so a
 * full disk (or a file size limit) first shows as a short write, and only the next write fails.
 */
function writeAll(fd: number, bytes: Uint8Array): void {
  for (let at = 0; at < bytes.length; ) {
    const written = writeSync(fd, bytes, at, bytes.length - at);
    if (written <= 0) throw Object.assign(new Error("the disk took no more bytes"), { code: "ENOSPC" });
    at += written;
  }
}

/** Whether this process may write the file: by its mode for anyone (root ignores modes), and by access. */
function writable(path: string, mode: number): boolean {
  if ((mode & 0o222) === 0) return false;
  try {
    accessSync(path, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/** A failed save as a message a person can act on; the file is as it was (the rename is last). */
function saveError(err: unknown, path: string): DispatchError {
  const code = (err as NodeJS.ErrnoException).code;
  const kept = "the file is as it was and the edits are kept in the editor";
  if (code === "ENOSPC" || code === "EDQUOT") {
    return new DispatchError(
      "internal",
      `no space left to save ${path} (${code === "EDQUOT" ? "disk quota exceeded" : "the disk is full"}); ${kept}: free some space and save again`,
    );
  }
  if (code === "EFBIG") {
    return new DispatchError(
      "too_large",
      `${path} would be larger than this host allows a file to be; ${kept}`,
    );
  }
  if (code === "EROFS") {
    return new DispatchError("forbidden", `${path} is on a read-only file system; ${kept}`);
  }
  if (code === "EACCES" || code === "EPERM") {
    return new DispatchError(
      "forbidden",
      `permission denied saving ${path}: a save writes a new file beside it in ${dirname(path)}, then renames it over; ${kept}: make the directory writable and save again`,
    );
  }
  return fileError(err, path);
}

/** The real path of a directory; itself when it is gone (the write then fails, saying so). */
function realDirectoryOf(directory: string): string {
  try {
    return realpathSync(directory);
  } catch {
    return directory;
  }
}

function startsWithBom(bytes: Uint8Array): boolean {
  return bytes.length >= BOM.length && BOM.every((byte, i) => bytes[i] === byte);
}

/**
 * What the editor cannot load (binary, not UTF-8, over the size limit), as opposed to a read
 * that failed for now: a file another program turned into one is a change the buffer must not
 * be saved over unseen.
 */
export function isUnloadable(err: unknown): err is DispatchError {
  // `readText` says `too_large` for the size and `bad_request` for binary (or a directory).
  return err instanceof DispatchError && (err.code === "too_large" || err.code === "bad_request");
}

/**
 * Tells one unloadable file content from another without reading it (it may be gigabytes):
 * size, modification time and inode change with every write and every rename over it. Never
 * equal to a `hashText` (no hex digest holds a ':').
 */
export function unloadableIdentity(path: string): string | undefined {
  try {
    const stat = statSync(path);
    return `unloadable:${stat.size}:${stat.mtimeMs}:${stat.ino}`;
  } catch {
    return undefined;
  }
}

/** A directory where the edited file was: nothing can be saved there until it is moved away. */
function directoryNow(path: string): DispatchError {
  return new DispatchError(
    "bad_request",
    `${path} is a directory now, not a file (a checkout of another branch, or a program, made it one); to save the buffer there, move the directory away first`,
  );
}

/** No NUL byte but not UTF-8: most often text in another encoding, which is not binary. */
function notUtf8(path: string): DispatchError {
  return new DispatchError(
    "bad_request",
    `${path} is not UTF-8 text (text in another encoding, such as Latin-1, or a binary file); the editor opens UTF-8 text only: convert it first (iconv -f latin1 -t utf-8)`,
  );
}

function binary(path: string): DispatchError {
  return new DispatchError(
    "bad_request",
    `${path} is a binary file (not UTF-8 text); the editor opens text files only`,
  );
}
