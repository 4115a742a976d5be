/**
 * Reading and writing an edited file: text only (no NUL byte, valid UTF-8), under the size
 * limit, and saved atomically (a temporary file beside it, then rename) with its mode and owner
 * kept, so a reader never sees half a file and a crash never leaves one.
 */
import { createHash, randomBytes } from "node:crypto";
import {
  chownSync,
  closeSync,
  fsyncSync,
  openSync,
  readFileSync,
  renameSync,
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
  text: string;
  hash: string;
}

const decoder = new TextDecoder("utf-8", { fatal: true });

/** The largest file to read, and what sets it (for the message refusing a larger one). */
export interface FileLimit {
  bytes: number;
  why: string;
}

/**
 * The file's text, or undefined if it does not exist; throws for binary files and, given a
 * `limit`, for files over it.
 */
export function readText(path: string, limit?: FileLimit): DiskText | undefined {
  let size: number;
  try {
    size = statSync(path).size;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw fileError(err, path);
  }
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
    return { text: decoder.decode(bytes), hash: hashText(bytes) };
  } catch {
    throw binary(path);
  }
}

/** Writes `text` to `path` atomically, keeping the existing file's mode and owner; its hash. */
export function writeTextAtomic(path: string, text: string): string {
  const bytes = Buffer.from(text, "utf8");
  let mode = 0o644;
  let owner: { uid: number; gid: number } | undefined;
  try {
    const stat = statSync(path);
    mode = stat.mode & 0o7777;
    owner = { uid: stat.uid, gid: stat.gid };
  } catch {
    // A new (or deleted) file gets the default mode and this user as owner.
  }
  const temp = join(dirname(path), `.${basename(path)}.dispatch-${randomBytes(4).toString("hex")}.tmp`);
  try {
    const fd = openSync(temp, "wx", mode);
    try {
      writeSync(fd, bytes);
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
    throw fileError(err, path);
  }
  return hashText(bytes);
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

function binary(path: string): DispatchError {
  return new DispatchError(
    "bad_request",
    `${path} is a binary file (not UTF-8 text); the editor opens text files only`,
  );
}
